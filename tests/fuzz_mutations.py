"""Spec mutations for fuzzing: small, realistic mistakes and hostile values, driven by a
random.Random so Hypothesis (tests/test_fuzz.py) and the long run (benchmarks/fuzz.py)
share them."""

from __future__ import annotations

import copy
import random
import re

import yaml

from cnncalc.spec import builtin_text

SEED_NAMES = ["lenet5", "alexnet", "resnet18", "squeezenet1_0", "unet", "mobilenet-v2"]
BLOCKS_SPEC = """
input: 32x32x3
blocks:
  basic:
    params: {filters: 16, stride: 1}
    layers:
      - residual:
          body:
            - conv: {filters: $filters, kernel: 3, stride: $stride, padding: 1, bias: false}
            - bn
            - relu
            - conv: {filters: "${filters * 1}", kernel: 3, padding: 1}
          shortcut: auto
          activation: relu
layers:
  - conv: {filters: 16, kernel: 3, padding: same, expect: {output: 32x32x16}}
  - basic: {filters: 32, stride: 2, repeat: 2}
  - concat: {branches: [[], [conv: {filters: 8, kernel: 1}]], crop: center}
  - upsample: {scale: 2}
  - crop: {size: [60, 60]}
  - zeropad: {padding: [1, 1, 2, 2]}
  - convtranspose: {filters: 4, kernel: 2, stride: 2}
  - avgpool: {kernel: 3, stride: 2, padding: 1, ceil_mode: true}
  - adaptiveavgpool: {output: 7}
  - flatten
  - dense: {units: 10, activation: softmax}
  - dropout: {rate: 0.5}
expect: {output: 10}
"""

SECTION7_SPEC = """
input: 24x24x8
layers:
  - conv: {filters: 16, kernel: 3, padding: 1, activation: silu}
  - groupnorm: {groups: 4, activation: hardswish}
  - prelu: {channels: all}
  - layernorm: {affine: false}
  - instancenorm: {affine: true, track_running_stats: true}
  - layerscale: {init: 0.1}
  - droppath: {rate: 0.2}
  - channelshuffle: {groups: 2}
  - slice: {channels: [0, 12]}
  - pixelunshuffle: {factor: 2}
  - pixelshuffle: {factor: 2}
  - lppool: {p: 2, kernel: 3, stride: 2, ceil_mode: true}
  - maxpool: {kernel: 3, stride: 1, padding: 1, dilation: 2}
  - conv: {filters: 8, kernel: 1, stride: 3}
  - convtranspose: {filters: 8, kernel: 3, stride: 2, padding: same}
  - convtranspose: {filters: 8, kernel: 2, stride: 3, padding: valid}
  - mish
  - selu
  - softplus
  - hardsigmoid
  - globalavgpool
  - flatten
  - dense: {units: 10}
  - logsoftmax
expect: {output: 10}
"""

EXTREMES = [0, -1, 1, 2**31, 2**63 - 1, 2**63, 10**30, -(10**30), 1e308, float("inf"),
            float("nan"), 0.5, -0.0, True, False, None, "", "same", "valid", "$filters",
            "${filters * 99999999999}", "${", "${1//0}", "1e9x1e9x3", "0x0x0", "32x32x3",
            "1000000x1000000x3", [], {}, [1], [1, 2, 3], [0, 0], [[1, 2], [3, 4]],
            {"height": 1}, "∞", "🙂", "\u202e", "\x00", "conv", "maxpool", "residual",
            # issue 17: digits that are not ASCII, names that would drive a terminal
            "²x²x¹", "３２x３２x3", "٣", "${٣ * 2}", "\x1b[31mred", "a|b\nc", "[/bold]",
            "\x1b]0;title\x07", [1, 2, 3], "1:30", "010"]
# Plain YAML 1.1 forms a dump would quote, so they are put in as text.
YAML11 = ["010", "0o10", "1:30", "0x1F", "0b101", "1_000", "-010", "+1:30", "07"]
CONTROL = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\ufffe", "\ud800"]
WORDS = ["conv", "maxpool", "dense", "relu", "layers", "input", "filters", "kernel", "stride",
         "padding", "repeat", "name", "expect", "blocks", "params", "body", "branches",
         "shortcut", "crop", "size", "units", "groups", "depthwise", "sequential", "basic",
         "factor", "channels", "dilation", "ceil_mode", "affine", "slice", "pixelshuffle"]


def seeds() -> dict[str, str]:
    texts = {name: builtin_text(name) for name in SEED_NAMES}
    texts["blocks"] = BLOCKS_SPEC
    texts["section7"] = SECTION7_SPEC
    return texts


def random_value(rng: random.Random):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(EXTREMES)
    if kind == 1:
        return rng.randint(-(2**70), 2**70)
    if kind == 2:
        return "".join(chr(rng.randrange(0x20, 0x2FFF)) for _ in range(rng.randrange(12)))
    if kind == 3:
        return rng.choice(WORDS)
    if kind == 4:
        return [rng.choice(EXTREMES) for _ in range(rng.randrange(5))]
    return {rng.choice(WORDS): rng.choice(EXTREMES) for _ in range(rng.randrange(3))}


def _slots(tree, found):
    """Every (container, key) in the tree."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.append((tree, key))
            _slots(value, found)
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found.append((tree, index))
            _slots(value, found)
    return found


def mutate_tree(tree, rng: random.Random):
    slots = _slots(tree, [])
    if not slots:
        return random_value(rng)
    container, key = rng.choice(slots)
    operation = rng.randrange(7)
    if operation == 0:  # delete
        del container[key]
    elif operation == 1:  # duplicate
        if isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
        else:
            container[rng.choice(WORDS)] = copy.deepcopy(container[key])
    elif operation == 2:  # swap with another slot's value
        other, other_key = rng.choice(slots)
        try:
            container[key], other[other_key] = other[other_key], container[key]
        except (KeyError, IndexError):
            pass
    elif operation == 3:  # rename a key
        if isinstance(container, dict):
            container[rng.choice(WORDS + [str(random_value(rng))])] = container.pop(key)
        else:
            container[key] = rng.choice(WORDS)
    else:  # replace the value with another type or an extreme number
        container[key] = random_value(rng)
    return tree


FLOW_OPTIONS = re.compile(r"^(\s*- [^:{}]+: )\{(.*)\}\s*$")


def add_merge(text: str, rng: random.Random) -> str:
    """Anchor one layer's flow-style options and merge them into a later layer's, with an
    override (`{<<: *m, filters: 4}`), or merge something that is not a mapping."""
    lines = text.split("\n")
    flows = [index for index, line in enumerate(lines) if FLOW_OPTIONS.match(line)]
    if len(flows) < 2:
        return text
    first, second = sorted(rng.sample(flows, 2))
    head, body = FLOW_OPTIONS.match(lines[first]).groups()
    lines[first] = f"{head}&m {{{body}}}"
    head, body = FLOW_OPTIONS.match(lines[second]).groups()
    merged = rng.choice(["*m", "[*m, *m]", "*m", "1", "*nowhere"])
    lines[second] = f"{head}{{<<: {merged}{', ' + body if body.strip() else ''}}}"
    return "\n".join(lines)


def mutate_text(text: str, rng: random.Random) -> str:
    if not text:
        return text
    operation = rng.randrange(9)
    if operation == 6:
        return add_merge(text, rng)
    if operation == 7:  # an integer written the YAML 1.1 way
        numbers = list(re.finditer(r"(?<=: )\d+\b", text))
        if numbers:
            number = rng.choice(numbers)
            return text[:number.start()] + rng.choice(YAML11) + text[number.end():]
        return text
    if operation == 8:  # a control character anywhere
        position = rng.randrange(len(text) + 1)
        return text[:position] + rng.choice(CONTROL) + text[position:]
    lines = text.split("\n")
    index = rng.randrange(len(lines))
    if operation == 0:
        del lines[index]
    elif operation == 1:
        lines.insert(index, lines[rng.randrange(len(lines))])
    elif operation == 2:
        lines[index] = "\t" + lines[index]
    elif operation == 3:
        position = rng.randrange(len(lines[index]) + 1)
        junk = rng.choice(["{", "}", "[", "]", ":", "- ", "&a ", "*a", "!!python/name:os.system ",
                           "'", '"', "#", "|", ">", "%", "@", "`", "\u00a0", "🙂", "\ufeff"])
        lines[index] = lines[index][:position] + junk + lines[index][position:]
    elif operation == 4:
        position = rng.randrange(len(lines[index]) + 1)
        lines[index] = lines[index][:position] + lines[index][position + 1:]
    else:
        lines[index] = " " * rng.randrange(1, 4) + lines[index]
    return "\n".join(lines)


def mutate(text: str, rng: random.Random, steps: int | None = None) -> str:
    """One to three mutations of a valid spec: on its data, on its text, or both."""
    steps = steps or rng.randint(1, 3)
    tree = yaml.safe_load(text)
    text_mutations = 0
    for _ in range(steps):
        if rng.random() < 0.7:
            tree = mutate_tree(tree, rng)
        else:
            text_mutations += 1
    try:
        out = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False,
                             default_flow_style=rng.choice([None, False]))
    except (yaml.YAMLError, RecursionError, ValueError):
        out = text
    for _ in range(text_mutations):
        out = mutate_text(out, rng)
    return out
