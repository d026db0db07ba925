/* Two threads of one process, held to two CPUs: the round trip of one cache line between them
 * (ns), and a buffer written by one and then read by the other (GB/s of the reads), against the
 * same thread reading a buffer it wrote itself. What a network's two threads pay to pass a
 * layer's output: more where the two CPUs sit on different L3 caches.
 *     gcc -O2 -pthread vcpu_pingpong.c -o pingpong && ./pingpong 0 1 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROUNDS 20000
#define FLOATS (512 * 1024) /* 2 MB: a layer's output of a few channels, Set14-sized */
#define PASSES 50

static _Atomic long flag;
static float *buf;
static volatile float sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static float read_all(void) {
    float acc = 0;
    for (long i = 0; i < FLOATS; i += 16) acc += buf[i] + buf[i + 8];
    return acc;
}

static void write_all(float v) {
    for (long i = 0; i < FLOATS; i++) buf[i] = v;
}

static void *other(void *arg) {
    pin(*(int *)arg);
    for (long i = 0; i < ROUNDS; i++) {
        while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 1) {}
        atomic_store_explicit(&flag, 2 * i + 2, memory_order_release);
    }
    for (long p = 0; p < PASSES; p++) { /* reads what the first thread wrote */
        long want = 2 * (ROUNDS + p) + 1;
        while (atomic_load_explicit(&flag, memory_order_acquire) != want) {}
        sink = read_all();
        atomic_store_explicit(&flag, want + 1, memory_order_release);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int a = argc > 2 ? atoi(argv[1]) : 0, b = argc > 2 ? atoi(argv[2]) : 1;
    buf = aligned_alloc(64, FLOATS * sizeof(float));
    write_all(1);
    pin(a);
    pthread_t t;
    pthread_create(&t, NULL, other, &b);
    double t0 = now();
    for (long i = 0; i < ROUNDS; i++) {
        atomic_store_explicit(&flag, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 2) {}
    }
    double rtt = (now() - t0) / ROUNDS * 1e9;
    double cross = 0, own = 0;
    for (long p = 0; p < PASSES; p++) {
        long want = 2 * (ROUNDS + p) + 1;
        write_all((float)p);
        double s = now();
        atomic_store_explicit(&flag, want, memory_order_release);
        while (atomic_load_explicit(&flag, memory_order_acquire) != want + 1) {}
        cross += now() - s;
        write_all((float)p);
        s = now();
        sink = read_all();
        own += now() - s;
    }
    pthread_join(t, NULL);
    double gb = (double)FLOATS * sizeof(float) * PASSES / 1e9;
    printf("%.0f %.1f %.1f\n", rtt, gb / cross, gb / own); /* ns round trip, GB/s read by the other, by itself */
    return 0;
}
