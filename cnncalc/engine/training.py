"""Training figures of SPEC §9: memory terms, the largest batch that fits, backward MACs.

Every activation figure is linear in the batch B: a per-sample part times B plus a part
paid once per batch (batchnorm's saved statistics). We compute both parts once, so the
largest batch is one exact integer division.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .analysis import Analysis
from .dataflow import Flow, data_flow
from .figures import BYTES_PER_VALUE
from .saved import (
    IN_PLACE,
    INPUT,
    INPUTS,
    MATMUL_TYPES,
    OUTPUT,
    VIEWS,
    BatchFloats,
    Floats,
    Int64,
    rule_for,
)
from .shapes import numel

OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}  # fp32 copies per param
PRECISIONS = ("fp32", "amp-fp16", "amp-bf16", "bf16")
DEFAULT_RESERVE = 1 << 30  # CUDA context and allocator slack
INT64_BYTES = 8
HALF_BYTES = BYTES_PER_VALUE // 2  # fp16 / bf16


def float_bytes(precision: str) -> int:
    """Bytes of one weight or activation element: bf16 halves everything, amp keeps fp32."""
    return HALF_BYTES if precision == "bf16" else BYTES_PER_VALUE


@dataclass(frozen=True)
class Linear:
    """bytes(B) = per_sample·B + per_batch."""

    per_sample: int = 0
    per_batch: int = 0

    def at(self, batch: int) -> int:
        return self.per_sample * batch + self.per_batch

    def __add__(self, other: Linear) -> Linear:
        return Linear(self.per_sample + other.per_sample, self.per_batch + other.per_batch)


class Kept(NamedTuple):
    """Elements one row keeps for backward, by how their size depends on the precision.

    A NamedTuple, not a frozen dataclass: a 10,000-layer spec builds 10,000 of them."""

    floats: int = 0  # float elements per sample (4 bytes, 2 in bf16)
    matmul_inputs: int = 0  # float elements a conv/dense reads (2 bytes under amp too)
    int64: int = 0  # int64 elements per sample (max-pool indices)
    batch_floats: int = 0  # float elements once per batch (batchnorm statistics)

    def bytes(self, precision: str) -> Linear:
        element = float_bytes(precision)
        half = 2 if precision.startswith("amp") else element
        return Linear(self.floats * element + self.matmul_inputs * half
                      + self.int64 * INT64_BYTES, self.batch_floats * element)


@dataclass
class Plan:
    """What does not depend on batch, optimizer or precision: walked once per analysis."""

    params: int
    kept: list[Kept]  # aligned with analysis.rows; each storage on its first saver
    total_kept: Kept
    working_elements: int  # the largest layer's input + output, per sample
    working_path: str
    inference_elements: int  # the inference peak, per sample
    forward_macs: int
    backward_macs: int
    unknown_types: list[str]


def plan(analysis: Analysis) -> Plan:
    flow = data_flow(analysis)
    needs_grad = _needs_grad(flow)
    kept, unknown = _kept(flow, needs_grad)
    total = Kept(*(sum(column) for column in zip(*kept, strict=True))) if kept else Kept()
    working, working_path = _working(flow, needs_grad)
    return Plan(analysis.totals.params, kept, total, working, working_path,
                inference_peak(flow, 1), sum(step.row.macs for step in flow.steps),
                _backward_macs(flow, needs_grad), unknown)


@dataclass
class Training:
    """Every §9 figure for one batch, optimizer and precision (bytes and MACs, exact)."""

    plan: Plan = field(repr=False)
    batch: int = 1
    optimizer: str = "adam"
    precision: str = "fp32"
    gpu_bytes: int | None = None
    reserve_bytes: int = DEFAULT_RESERVE

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZER_STATES:
            raise ValueError(f"unknown optimizer {self.optimizer!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        params, element = self.plan.params, float_bytes(self.precision)
        self.weight_bytes = self.gradient_bytes = params * element
        self.optimizer_bytes = params * BYTES_PER_VALUE * OPTIMIZER_STATES[self.optimizer]
        self.amp_copy_bytes = params * HALF_BYTES if self.precision.startswith("amp") else 0
        self.saved = self.plan.total_kept.bytes(self.precision)
        self.working = Linear(self.plan.working_elements * element)
        inference_element = BYTES_PER_VALUE if self.precision == "fp32" else HALF_BYTES
        self.inference_peak_bytes = self.plan.inference_elements * inference_element * self.batch

    def variant(self, **changes) -> Training:
        """The same plan with other settings (what `--optimizer sgd` would change)."""
        settings = {"batch": self.batch, "optimizer": self.optimizer,
                    "precision": self.precision, "gpu_bytes": self.gpu_bytes,
                    "reserve_bytes": self.reserve_bytes, **changes}
        return Training(self.plan, **settings)

    @property
    def saved_bytes_by_row(self) -> list[int]:
        """Per row (aligned with analysis.rows), the bytes it saves at this batch; a storage
        several rows keep is on the first one."""
        element = float_bytes(self.precision)
        half = 2 if self.precision.startswith("amp") else element
        batch = self.batch
        return [(kept.floats * element + kept.matmul_inputs * half + kept.int64 * INT64_BYTES)
                * batch + kept.batch_floats * element for kept in self.plan.kept]

    working_path = property(lambda self: self.plan.working_path)
    forward_macs = property(lambda self: self.plan.forward_macs)
    backward_macs = property(lambda self: self.plan.backward_macs)
    unknown_types = property(lambda self: self.plan.unknown_types)

    @property
    def fixed_bytes(self) -> int:
        return self.weight_bytes + self.gradient_bytes + self.optimizer_bytes + self.amp_copy_bytes

    @property
    def saved_activation_bytes(self) -> int:
        return self.saved.at(self.batch)

    @property
    def working_bytes(self) -> int:
        return self.working.at(self.batch)

    def peak_at(self, batch: int) -> int:
        return self.fixed_bytes + (self.saved + self.working).at(batch)

    @property
    def peak_bytes(self) -> int:
        return self.peak_at(self.batch)

    @property
    def training_macs(self) -> int:
        return self.forward_macs + self.backward_macs

    @property
    def budget_bytes(self) -> int | None:
        return None if self.gpu_bytes is None else self.gpu_bytes - self.reserve_bytes

    @property
    def largest_batch(self) -> int | None:
        """The largest B with peak(B) ≤ gpu − reserve; 0 when B = 1 does not fit."""
        if self.budget_bytes is None:
            return None
        activations = self.saved + self.working
        room = self.budget_bytes - self.fixed_bytes - activations.per_batch
        if room < activations.per_sample:
            return 0
        return room // activations.per_sample if activations.per_sample else None

    @property
    def miss_bytes(self) -> int:
        """How far batch 1 is over the budget (0 when it fits)."""
        if self.budget_bytes is None:
            return 0
        return max(self.peak_at(1) - self.budget_bytes, 0)


def training_figures(analysis: Analysis, batch: int = 1, optimizer: str = "adam",
                     precision: str = "fp32", gpu_bytes: int | None = None,
                     reserve_bytes: int = DEFAULT_RESERVE) -> Training:
    return Training(plan(analysis), batch, optimizer, precision, gpu_bytes, reserve_bytes)


def _needs_grad(flow: Flow) -> list[bool]:
    """Per tensor: does it depend on a parameter (autograd's requires_grad)?"""
    needs = [False] * len(flow.numel)
    for step in flow.steps:
        needs[step.writes] = step.row.params > 0 or any(needs[t] for t in step.reads)
    return needs


def training_storages(flow: Flow) -> list[int]:
    """Per tensor, the tensor whose storage it lives in (in-place layers and views share)."""
    storage = list(range(len(flow.numel)))
    for step in flow.steps:
        if step.row.type in IN_PLACE or step.row.type in VIEWS:
            storage[step.writes] = storage[step.reads[0]]
    return storage


def _kept(flow: Flow, needs_grad: list[bool]) -> tuple[list[Kept], list[str]]:
    """Per row, the elements it keeps that no earlier row kept (each storage counted once).

    Under amp a storage that a conv/convtranspose/dense reads is a 16-bit tensor (autocast
    runs those layers in 16 bits), whoever else keeps it: it is counted as a matmul input.
    """
    storage = training_storages(flow)
    matmul_read = {storage[step.reads[0]] for step in flow.steps
                   if step.row.type in MATMUL_TYPES}
    counted: set[int] = set()
    unknown: list[str] = []
    result = []
    nothing = Kept()
    for step in flow.steps:
        row = step.row
        if row.params == 0 and not any(needs_grad[t] for t in step.reads):
            result.append(nothing)  # nothing upstream to differentiate: autograd keeps nothing
            continue
        rule, known = rule_for(row.type)
        if not known and row.type not in unknown:
            unknown.append(row.type)
        floats = matmul = int64 = batch_floats = 0
        for kept in rule(row):
            if isinstance(kept, Floats):
                floats += kept.per_sample
            elif isinstance(kept, Int64):
                int64 += kept.per_sample
            elif isinstance(kept, BatchFloats):
                batch_floats += kept.count
            else:
                tensors = {INPUT: step.reads[:1], OUTPUT: [step.writes], INPUTS: step.reads}[kept]
                for tensor in tensors:
                    where = storage[tensor]
                    if where not in counted:
                        counted.add(where)
                        if where in matmul_read:
                            matmul += flow.numel[where]
                        else:
                            floats += flow.numel[where]
        result.append(Kept(floats, matmul, int64, batch_floats) if floats or matmul or int64
                      or batch_floats else nothing)
    return result, unknown


def _working(flow: Flow, needs_grad: list[bool]) -> tuple[int, str]:
    """The largest backward step: its output gradient and its input gradient at once."""
    best, path = 0, ""
    for step in flow.steps:
        if needs_grad[step.writes]:
            size = numel(step.row.input) + numel(step.row.output)
            if size > best:
                best, path = size, step.row.path
    return best, path


def _backward_macs(flow: Flow, needs_grad: list[bool]) -> int:
    """Weight gradient = forward MACs; input gradient = forward MACs when the input needs one."""
    total = 0
    for step in flow.steps:
        if step.row.macs and step.row.type in MATMUL_TYPES:
            total += step.row.macs  # the weight gradient
            if any(needs_grad[t] for t in step.reads):
                total += step.row.macs  # the input gradient
    return total


def inference_peak(flow: Flow, element: int) -> int:
    """Most activation bytes alive at once, per sample, freeing each tensor after its last
    reader. An in-place layer reuses its input's storage when nothing reads it later; a
    view never allocates. The network input counts until its last reader; the output stays.
    """
    steps = flow.steps
    last_read = [-1] * len(flow.numel)
    for index, step in enumerate(steps):
        last_read[step.writes] = index  # unread tensors die right after they are written
        for tensor in step.reads:
            last_read[tensor] = index
    for output in flow.outputs:
        last_read[output] = len(steps)
    storage = list(range(len(flow.numel)))
    last_use = {tensor: last_read[tensor] for tensor in range(flow.inputs)}
    alive = peak = sum(flow.numel[:flow.inputs])
    for index, step in enumerate(steps):
        source = storage[step.reads[0]]
        kind = step.row.type
        if kind in VIEWS or (kind in IN_PLACE and last_use[source] == index):
            storage[step.writes] = source
            last_use[source] = max(last_use[source], last_read[step.writes])
        else:
            last_use[step.writes] = last_read[step.writes]
            alive += flow.numel[step.writes]
            peak = max(peak, alive)
        for freed in {storage[t] for t in (*step.reads, step.writes)}:
            if last_use[freed] == index:
                alive -= flow.numel[freed]
    return peak * element
