"""Call scripts: the text the head of sales writes, its checks, branches, answers, results."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from callpulse.campaigns import services
from callpulse.campaigns.scripts import parse_script

SURVEY = """\
greet: Hello! Do you have a minute?
  - Yes -> quality
  - No -> end
quality: Are you happy with our deliveries?
  - Yes -> thanks
  - No -> why
why: What went wrong? [text]
  -> thanks
thanks: Thank you, goodbye. [say]
"""


def test_a_script_parses_into_steps_answers_and_branches():
    steps = parse_script(SURVEY)
    assert [(s.key, s.kind) for s in steps] == [
        ("greet", "choice"),
        ("quality", "choice"),
        ("why", "text"),
        ("thanks", "say"),
    ]
    assert [(a.label, a.target) for a in steps[1].answers] == [("Yes", "thanks"), ("No", "why")]
    assert steps[2].next_key == "thanks"


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("", "at least one step"),
        ("greet Hello", "Line 1"),
        ("greet: Hi\n  - Yes -> nowhere", "no step “nowhere”"),
        ("a: A\n  - x -> b\nb: B\n  - y -> a", "leads back"),
        ("a: A\na: again", "defined twice"),
        ("  - orphan", "needs a step above"),
        ("a: Tell me [text]\n  - Yes", "free-text step has no answers"),
    ],
)
def test_bad_scripts_are_refused_naming_the_problem(source, needle):
    with pytest.raises(ValidationError) as error:
        parse_script(source)
    assert needle in " ".join(error.value.message_dict["source"])


def test_only_the_head_of_sales_edits_scripts(make_user):
    with pytest.raises(PermissionDenied):
        services.script_save(actor=make_user("supervisor"), name="S", source=SURVEY)
    script = services.script_save(actor=make_user("head_of_sales"), name="S", source=SURVEY)
    assert script.steps.count() == 4


def test_saving_again_replaces_the_steps(make_user):
    head = make_user("head_of_sales")
    script = services.script_save(actor=head, name="S", source=SURVEY)
    services.script_save(actor=head, name="S2", source="only: One line [say]", script=script)
    script.refresh_from_db()
    assert script.name == "S2"
    assert list(script.steps.values_list("key", flat=True)) == ["only"]


@pytest.fixture
def survey(make_user):
    return services.script_save(actor=make_user("head_of_sales"), name="Survey", source=SURVEY)


def test_answers_follow_the_branches(survey):
    path = services._script_path(survey, {"greet": "Yes", "quality": "No", "why": "Late"})
    assert [(s.key, v) for s, v, _ in path] == [
        ("greet", "Yes"),
        ("quality", "No"),
        ("why", "Late"),
        ("thanks", ""),
    ]
    happy = services._script_path(survey, {"greet": "Yes", "quality": "Yes"})
    assert [s.key for s, _, _ in happy] == ["greet", "quality", "thanks"]


def test_an_answer_off_the_path_or_not_offered_is_refused(survey):
    with pytest.raises(ValidationError) as error:
        services._script_path(survey, {"greet": "No", "quality": "Yes"})
    assert "answers.quality" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services._script_path(survey, {"greet": "Maybe"})
    assert "answers.greet" in error.value.message_dict


def test_a_call_cut_short_keeps_the_answers_so_far(survey):
    path = services._script_path(survey, {"greet": "Yes"})
    assert [s.key for s, _, _ in path] == ["greet"]
