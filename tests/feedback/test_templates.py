"""Every template compiles: a syntax error would otherwise only show as an error page in use."""

from pathlib import Path

import pytest

from feedback.rendering import TEMPLATE_DIR, build_environment

TEMPLATES = sorted(str(p.relative_to(TEMPLATE_DIR)) for p in Path(TEMPLATE_DIR).rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_compiles(name):
    build_environment().get_template(name)


def test_choice_questions_render_from_memory_and_free_text_is_never_remembered():
    """The question-page cache: the same HTML as the macro gives, chosen options marked, errors
    shown, and only option values (never anyone's words, never forged values) used as keys."""
    from surveys.instrument import built_in_instruments

    env = build_environment()
    field = env.globals["question_field"]
    macro = env.get_template("macros/questions.html").module.question_field
    remembered = field.__closure__  # the lru_cache'd renderer is in the closure
    cache = next(c.cell_contents for c in remembered if hasattr(c.cell_contents, "cache_info"))
    questions = built_in_instruments()["annual-send-parent"].questions_by_key
    scale = questions["overall_satisfaction"]
    many = next(q for q in questions.values() if q.type == "multiple_choice")
    text = next(q for q in questions.values() if q.type == "long_text")

    cache.cache_clear()
    assert field(scale, "satisfied", None, True) == macro(scale, "satisfied", None, True)
    assert 'value="satisfied" checked' in str(field(scale, "satisfied", None, True))
    assert cache.cache_info().hits == 1
    assert "Select one" in str(field(scale, None, "Select one", True))
    chosen = sorted(many.option_values)[:1]
    assert field(many, chosen, None, True) == macro(many, chosen, None, True)
    size = cache.cache_info().currsize
    field(text, "My child's name is Sam and we live at 1 High Street", None, True)
    field(scale, "<script>forged</script>", None, True)
    assert cache.cache_info().currsize == size
