"""A quiz sheet as text, Markdown or JSON: the questions first, then the answer key with the
worked arithmetic, so the key can be torn off (SPEC §12)."""

from __future__ import annotations

import json

from ..homework.quiz import Sheet


def to_text(sheet: Sheet) -> str:
    count = len(sheet.questions)
    lines = [f"Quiz ({sheet.topic}, {count} question{'s' if count != 1 else ''}, seed "
             f"{sheet.seed})", ""]
    lines += [f"{index}. {question.question}"
              for index, question in enumerate(sheet.questions, 1)]
    lines += ["", "Answer key"]
    for index, question in enumerate(sheet.questions, 1):
        lines.append(f"{index}. {question.answer_text}")
        lines += [f"   {step}" for step in question.working]
    return "\n".join(lines) + "\n"


def to_markdown(sheet: Sheet) -> str:
    lines = [f"# Quiz ({sheet.topic}, seed {sheet.seed})", ""]
    lines += [f"{index}. {question.question}"
              for index, question in enumerate(sheet.questions, 1)]
    lines += ["", "## Answer key", ""]
    for index, question in enumerate(sheet.questions, 1):
        lines.append(f"{index}. **{question.answer_text}**")
        lines += [f"   - {step}" for step in question.working]
    return "\n".join(lines) + "\n"


def to_json(sheet: Sheet) -> str:
    data = {"seed": sheet.seed, "topic": sheet.topic,
            "questions": [{"topic": question.topic, "question": question.question,
                           "answer": question.answer, "answer_text": question.answer_text,
                           "working": question.working, "given": question.given}
                          for question in sheet.questions]}
    return json.dumps(data, ensure_ascii=False) + "\n"
