"""quiz: 200 generated questions whose answers are recomputed here by naive loops (windows
counted one by one, weights counted entry by entry, gradients scattered term by term)."""

import json

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli


def run(*args, code=0):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result.output


def windows(size, kernel, stride, padding):
    """How many window positions fit in the padded size, counting them."""
    count, start = 0, 0
    while start + kernel <= size + 2 * padding:
        count, start = count + 1, start + stride
    return count


def receptive_field(layers):
    """Input columns feeding output column 0, by following every window back."""
    columns = {0}
    for kernel, stride in reversed(layers):
        columns = {c * stride + k for c in columns for k in range(kernel)}
    return len(columns)


def backward(x, w, grad, ask):
    grad_x = [[0] * 3 for _ in range(3)]
    grad_f = [[0] * 2 for _ in range(2)]
    for i in range(2):
        for j in range(2):
            for a in range(2):
                for b in range(2):
                    grad_f[a][b] += grad[i][j] * x[i + a][j + b]
                    grad_x[i + a][j + b] += grad[i][j] * w[a][b]
    return grad_f if ask == "grad_filter" else grad_x


def naive_answer(topic, given):
    if topic == "rf":
        return receptive_field(given["layers"])
    if topic == "backward":
        return backward(given["input"], given["filter"], given["grad"], given["ask"])
    height, width, channels = given["input"]
    kernel, stride = given["kernel"], given["stride"]
    padding = given.get("padding", 0)
    rows = windows(height, kernel, stride, padding)
    cols = windows(width, kernel, stride, padding)
    if topic == "pool":
        return f"{rows}x{cols}x{channels}"
    if topic == "fit":  # the last real row is inside the last window, or only padding follows
        last_end = (rows - 1) * stride + kernel
        return height + 2 * padding - last_end <= padding
    filters = given["filters"]
    weights = sum(1 for _ in range(filters) for _ in range(kernel * kernel * channels))
    if topic == "conv":
        return f"{rows}x{cols}x{filters}"
    if topic == "params":
        return weights + filters
    neurons = rows * cols * filters
    if given["ask"] == "neurons":
        return neurons
    return neurons * (kernel * kernel * channels + 1)


def test_two_hundred_questions_recomputed_naively():
    sheet = json.loads(run("quiz", "--count", "200", "--seed", "2026", "--format", "json"))
    assert sheet["seed"] == 2026 and len(sheet["questions"]) == 200
    topics = {question["topic"] for question in sheet["questions"]}
    assert topics == {"conv", "pool", "params", "connections", "rf", "fit", "backward"}
    for question in sheet["questions"]:
        assert set(question) >= {"topic", "question", "answer", "working"}
        assert question["working"], question
        assert question["answer"] == naive_answer(question["topic"], question["given"]), question


def test_seed_makes_a_sheet_reproducible_and_topics_stick():
    first = run("quiz", "--topic", "conv", "--count", "5", "--seed", "11")
    assert first == run("quiz", "--topic", "conv", "--count", "5", "--seed", "11")
    assert first != run("quiz", "--topic", "conv", "--count", "5", "--seed", "12")
    sheet = json.loads(run("quiz", "--topic", "backward", "--count", "3", "--seed", "1",
                           "--format", "json"))
    assert {question["topic"] for question in sheet["questions"]} == {"backward"}


def test_markdown_and_text_carry_the_key():
    text = run("quiz", "--count", "3", "--seed", "5")
    assert "Answer key" in text and "seed 5" in text
    assert "## Answer key" in run("quiz", "--count", "3", "--seed", "5", "--format", "markdown")


@pytest.mark.parametrize("args", [["--count", "0"], ["--topic", "dense"], ["--seed", "-1"]])
def test_quiz_misuse_exits_2(args):
    run("quiz", *args, code=2)


def test_a_disagreeing_answer_is_refused(monkeypatch):
    from cnncalc.homework import quiz as quiz_module
    from cnncalc.homework.quiz_check import QuizMismatch

    original = quiz_module.MAKERS["params"]

    def wrong(rng):
        question = original(rng)
        question.answer += 1  # what a formula bug would give
        return question

    monkeypatch.setitem(quiz_module.MAKERS, "params", wrong)
    with pytest.raises(QuizMismatch, match="reference pass"):
        quiz_module.quiz("params", 1, 0)
