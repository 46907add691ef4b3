"""The quiz and exam banks carry no hint in how they are written: keys sit in varied positions,
true/false keys are balanced, multi-select keys vary in number, the key is not as a rule the
longest option, and the prompt does not repeat what the widget adds ("Select all that apply")."""
from collections import Counter

from peaceops import data


def _banks():
    banks = {c["id"]: data.load_quiz(c["id"])["questions"] for c in data.load_chapters()}
    banks["exam"] = data.load_exam()["questions"]
    return banks


def _all_questions():
    return [q for qs in _banks().values() for q in qs]


def _strictly_longest_is_key(q):
    lengths = sorted(((len(o["text"]), o["correct"]) for o in q["options"]), reverse=True)
    return lengths[0][1] and lengths[0][0] > lengths[1][0]


def test_true_false_keys_are_balanced():
    for name, qs in {"chapter quizzes": [q for b, qs in _banks().items() if b != "exam" for q in qs],
                     "exam bank": _banks()["exam"]}.items():
        keys = [next(o["id"] for o in q["options"] if o["correct"]) for q in qs if q["type"] == "truefalse"]
        share = keys.count("true") / len(keys)
        assert 0.4 <= share <= 0.6, f"{name}: {keys.count('true')} of {len(keys)} true/false keys are 'true'"
    for q in _all_questions():  # True, False: the widget shows them in this order
        if q["type"] == "truefalse":
            assert [o["id"] for o in q["options"]] == ["true", "false"], q["id"]


def test_single_answer_keys_sit_in_varied_stored_positions():
    singles = [q for q in _all_questions() if q["type"] == "single"]
    positions = Counter(next(i for i, o in enumerate(q["options"]) if o["correct"]) for q in singles)
    # the stored order is what a table, a printout or a kernel user sees before shuffling
    assert max(positions.values()) <= 0.4 * len(singles), positions
    assert len(positions) >= 4, positions


def test_key_is_not_as_a_rule_the_longest_option():
    singles = [q for q in _all_questions() if q["type"] == "single"]
    longest = [q["id"] for q in singles if _strictly_longest_is_key(q)]
    assert len(longest) <= 0.35 * len(singles), f"the key is the longest option in {len(longest)} of {len(singles)}: {longest}"


def test_multiple_select_keys_vary_in_number_and_position():
    multi = [q for q in _all_questions() if q["type"] == "multiple"]
    counts = Counter(sum(o["correct"] for o in q["options"]) for q in multi)
    assert len(counts) >= 3, f"every multi-select item has the same number of right answers: {counts}"
    # the right boxes are not stacked at the top of the stored order
    top = sum(all(o["correct"] for o in q["options"][:n]) for q in multi
              for n in [sum(o["correct"] for o in q["options"])])
    assert top <= 0.25 * len(multi), f"{top} of {len(multi)} multi-select items store their right answers first"
    for q in multi:
        assert not all(o["correct"] for o in q["options"]), f"{q['id']}: ticking every box must not be right"


def test_option_ids_follow_the_stored_order_and_prompts_do_not_repeat_the_instruction():
    for q in _all_questions():
        if q["type"] != "truefalse":
            assert [o["id"] for o in q["options"]] == list("abcdef"[:len(q["options"])]), q["id"]
        assert "select all that apply" not in q["prompt"].lower(), f"{q['id']}: the quiz adds this instruction itself"
        assert not any(o.get("fixed") for o in q["options"]) or q["type"] != "truefalse", q["id"]


def test_feedback_does_not_repeat_the_verdict_the_quiz_shows():
    # the quiz prints "Correct answer." or "Not correct." before each option's feedback
    import re
    verdict = re.compile(r"^(Yes|Right|Correct|No|Not so|Incorrect|Not quite|Wrong)\b[.:!]")
    repeats = [f"{q['id']}/{o['id']}" for q in _all_questions() for o in q["options"] if verdict.match(o["feedback"])]
    assert not repeats, f"feedback that starts with its own verdict: {repeats}"
