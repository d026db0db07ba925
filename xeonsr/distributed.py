"""Data-parallel plumbing for training under ``torchrun``: rank/world, the process group, and
the few collectives that keep ranks in agreement (when to stop, how many steps, each rank's
random stream in a checkpoint)."""

from __future__ import annotations

import contextlib
import os

import torch


def dist_env() -> tuple[int, int]:
    """(rank, world size) from torchrun's environment; (0, 1) outside it."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def init_distributed(device: str) -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        return
    backend = "gloo"
    if device == "cuda":
        backend = "nccl"
    else:
        with contextlib.suppress(ImportError):
            import oneccl_bindings_for_pytorch  # noqa: F401 - registers the "ccl" backend

            backend = "ccl"
    dist.init_process_group(backend=backend)


def _active() -> bool:
    import torch.distributed as dist

    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def _comm_device() -> torch.device:
    import torch.distributed as dist

    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def any_rank(flag: bool) -> bool:
    """True on every rank if it is true on any: stopping is decided together, never by one
    rank's clock (a rank that leaves the loop alone would hang the others' all-reduce)."""
    if not _active():
        return flag
    import torch.distributed as dist

    t = torch.tensor([1 if flag else 0], dtype=torch.int32, device=_comm_device())
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def from_rank0(value: int) -> int:
    """Rank 0's ``value`` on every rank."""
    if not _active():
        return value
    import torch.distributed as dist

    t = torch.tensor([value], dtype=torch.int64, device=_comm_device())
    dist.broadcast(t, src=0)
    return int(t.item())


def gather_states(state: torch.Tensor) -> list[torch.Tensor]:
    """Every rank's uint8 state tensor (a generator's), in rank order, on every rank."""
    if not _active():
        return [state]
    import torch.distributed as dist

    dev = _comm_device()
    mine = state.to(dev)
    out = [torch.empty_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(out, mine)
    return [t.cpu() for t in out]


def replica_max_diff(model: torch.nn.Module) -> float:
    """Largest difference between this rank's parameters and any other rank's."""
    flat = torch.cat([p.detach().float().reshape(-1) for p in model.parameters()])
    return max(float((g - flat.cpu()).abs().max()) for g in gather_float(flat))


def gather_float(t: torch.Tensor) -> list[torch.Tensor]:
    if not _active():
        return [t.cpu()]
    import torch.distributed as dist

    mine = t.to(_comm_device())
    out = [torch.empty_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(out, mine)
    return [x.cpu() for x in out]


def barrier() -> None:
    if _active():
        import torch.distributed as dist

        dist.barrier()


def shutdown() -> None:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
