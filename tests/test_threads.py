"""The thread policy under a container's CPU quota (Docker --cpus, a Kubernetes CPU limit): the
affinity mask shows every host CPU, the cgroup says how much time they may take."""

from xeonsr.threads import cpu_quota, plan_threads


def _cgroup(tmp_path, files: dict[str, str], own: str):
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "self_cgroup").write_text(own)
    return str(tmp_path / "fs"), str(tmp_path / "self_cgroup")


def test_cgroup_v2_quota_is_the_tightest_along_the_process_cgroup(tmp_path):
    files = {
        "fs/cpu.max": "max 100000\n",
        "fs/kube/cpu.max": "150000 100000\n",
        "fs/kube/pod/cpu.max": "250000 100000\n",
    }
    assert cpu_quota(*_cgroup(tmp_path, files, "0::/kube/pod\n")) == 1.5
    (tmp_path / "fs/kube/cpu.max").write_text("max 100000\n")
    assert cpu_quota(str(tmp_path / "fs"), str(tmp_path / "self_cgroup")) == 2.5


def test_cgroup_v1_quota_of_a_container_mounted_at_its_own_root(tmp_path):
    # Docker without a cgroup namespace: /proc/self/cgroup names a path the container's mount lacks.
    files = {"fs/cpu/cpu.cfs_quota_us": "400000\n", "fs/cpu/cpu.cfs_period_us": "100000\n"}
    own = "12:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n"
    assert cpu_quota(*_cgroup(tmp_path, files, own)) == 4.0


def test_no_quota_set_or_nothing_to_read(tmp_path):
    files = {"fs/cpu.max": "max 100000\n", "fs/cpu/cpu.cfs_quota_us": "-1\n", "fs/cpu/cpu.cfs_period_us": "100000\n"}
    assert cpu_quota(*_cgroup(tmp_path, files, "0::/\n1:cpu:/\n")) is None
    assert cpu_quota(str(tmp_path / "nowhere"), str(tmp_path / "no_such_file")) is None


def test_threads_are_capped_at_the_quota_rounded_up():
    cores = {c: (0, c) for c in range(64)}
    plan = plan_threads(None, cores.get, cpus=list(range(64)), quota=2.5)
    assert (plan.available, plan.used, len(plan.pinned)) == (3, 3, 3)
    asked = plan_threads(8, cores.get, cpus=list(range(64)), quota=2.5)
    assert asked.used == 3 and "a CPU quota of 2.5" in asked.describe() and asked.as_dict()["cpu_quota"] == 2.5
    assert plan_threads(None, cores.get, cpus=list(range(64)), quota=0.5).used == 1
    assert plan_threads(None, cores.get, cpus=list(range(4)), quota=16).used == 4  # the CPUs are the tighter
    assert plan_threads(None, cores.get, cpus=list(range(64))).used == 64


def test_info_names_the_quota(monkeypatch):
    from xeonsr import threads
    from xeonsr.commands.info_cmd import info_text

    monkeypatch.setattr(threads, "cpu_quota", lambda: 2.5)
    assert "a CPU quota of 2.5 (threads are capped at 3)" in info_text().splitlines()[1]
