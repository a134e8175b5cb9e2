"""Config rules as the terminal shows them: visibleWhen, maxUsages, nested choices, HyperText,
Table/List/Ranker, mouse selection, hotkey assignment."""

from __future__ import annotations

from lsx.tui.app import LabelApp
from lsx.tui.hotkeys import RESERVED
from lsx.tui.textdoc import hypertext_doc
from tests.tui.conftest import SIZE, strip_ids

CONDITIONAL = """<View>
  <Text name="text" value="$text"/>
  <Choices name="kind" toName="text"><Choice value="Bug"/><Choice value="Idea"/></Choices>
  <View visibleWhen="choice-selected" whenTagName="kind" whenChoiceValue="Bug">
    <Choices name="severity" toName="text" required="true"><Choice value="Low"/><Choice value="High"/></Choices>
  </View>
</View>"""


async def test_visible_when_choice_selected_and_hidden_required_controls(make_project, backend_for, annotations):
    pid = make_project(CONDITIONAL, [{"text": "It crashes"}, {"text": "Add dark mode"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        assert not app.rendered.controls["severity"].display
        await pilot.press("3")  # severity is hidden: its keys do nothing
        assert "not shown" in app.message
        await pilot.press("1")  # Bug
        assert app.rendered.controls["severity"].display
        await pilot.press("enter")
        assert "not submitted" in app.message  # severity is required once shown
        await pilot.press("4", "enter")
        await pilot.press("2", "enter")  # Idea: severity hidden, not required
        await pilot.pause()
        assert app.finished, app.message
    first, second = annotations(pid)
    assert {r["from_name"]: r["value"] for r in first["result"]} == {"kind": {"choices": ["Bug"]},
                                                                     "severity": {"choices": ["High"]}}
    assert [r["value"] for r in second["result"]] == [{"choices": ["Idea"]}]


MAX_USAGES = """<View>
  <Labels name="l" toName="text"><Label value="Title" maxUsages="1"/><Label value="Name"/></Labels>
  <Text name="text" value="$text"/>
</View>"""


async def test_max_usages_is_enforced_by_the_engine(make_project, backend_for):
    pid = make_project(MAX_USAGES, [{"text": "Dr Who and Mr Bean"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "ctrl+right", "ctrl+right", "ctrl+right", "1")
        assert "maxUsages" in app.message
        assert app.state is not None and len(app.state.regions) == 1
        await pilot.press("q")


NESTED = """<View>
  <Text name="text" value="$text"/>
  <Choices name="topic" toName="text" allowNested="true" choice="multiple">
    <Choice value="Animals"><Choice value="Cat"/><Choice value="Dog"/></Choice>
    <Choice value="Plants"/>
  </Choices>
</View>"""


async def test_nested_choices_store_paths(make_project, backend_for, annotations):
    pid = make_project(NESTED, [{"text": "A cat and a fern"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "4", "enter")  # Animals/Cat and Plants
        await pilot.pause()
    [ann] = annotations(pid)
    assert strip_ids(ann["result"]) == strip_ids([
        {"value": {"choices": [["Animals", "Cat"], ["Plants"]]}, "id": "a", "from_name": "topic",
         "to_name": "text", "type": "choices", "origin": "manual"}])


def test_hypertext_is_readable_with_links_and_spans_map_to_xpaths() -> None:
    doc = hypertext_doc("html", '<p>Visit <a href="https://x.org">our site</a> today.</p><p>Bye</p>')
    assert doc.text == "Visit our site today.Bye"
    shown = "".join(p for i in range(len(doc.text) + 1) for p, _ in doc.decorations.get(i, ()))
    assert "<https://x.org>" in shown and "\n" in shown
    value = doc.span_value(6, 14)
    assert value == {"start": "/p[1]/a[1]/text()[1]", "end": "/p[1]/a[1]/text()[1]", "startOffset": 0,
                     "endOffset": 8, "globalOffsets": {"start": 6, "end": 14}, "text": "our site"}
    assert doc.offsets_of(value) == (6, 14)


HYPER = """<View>
  <HyperTextLabels name="ner" toName="html"><Label value="Link"/></HyperTextLabels>
  <HyperText name="html" value="$html"/>
</View>"""


async def test_hypertext_labels_result(make_project, backend_for, annotations):
    pid = make_project(HYPER, [{"html": '<p>Visit <a href="https://x.org">our site</a></p>'}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        assert "<https://x.org>" in app.query_one("#obj-html").render().plain
        await pilot.press("ctrl+right", "ctrl+shift+right", "ctrl+shift+right", "1", "enter")
        await pilot.pause()
    [ann] = annotations(pid)
    assert ann["result"][0]["value"]["hypertextlabels"] == ["Link"]
    assert ann["result"][0]["value"]["text"] == "our site"


TABLE_RANKER = """<View>
  <Table name="meta" value="$meta"/>
  <List name="results" value="$items" title="Results"/>
  <Ranker name="rank" toName="results"/>
</View>"""


async def test_table_and_ranker(make_project, backend_for, annotations):
    items = [{"id": "a", "title": "First", "body": "one"}, {"id": "b", "title": "Second", "body": "two"}]
    pid = make_project(TABLE_RANKER, [{"meta": {"query": "cats", "lang": "en"}, "items": items}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        assert "cats" in app.export_screenshot()
        await pilot.press("tab", "down", "shift+up", "escape", "enter")  # Second above First
        await pilot.pause()
        assert app.finished, app.message
    [ann] = annotations(pid)
    assert strip_ids(ann["result"]) == strip_ids([
        {"value": {"ranker": {"results": ["b", "a"]}}, "id": "x", "from_name": "rank", "to_name": "results",
         "type": "ranker", "origin": "manual"}])


async def test_mouse_drag_selects_and_click_selects_a_region(make_project, backend_for, annotations):
    config = '<View><Labels name="l" toName="text"><Label value="X"/></Labels><Text name="text" value="$text"/></View>'
    pid = make_project(config, [{"text": "alpha beta gamma"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        text = app.query_one("#obj-text")
        await pilot.mouse_down(text, offset=(7, 0))  # "beta" starts at column 6 (+1 padding)
        await pilot.hover(text, offset=(10, 0))
        await pilot.mouse_up(text, offset=(10, 0))
        await pilot.press("1")
        assert app.state is not None and app.state.regions[0].geometry["text"] == "beta"
        await pilot.press("escape")
        assert app.state.selected is None
        await pilot.click(text, offset=(8, 0))
        assert app.state.selected == app.state.regions[0].id
        await pilot.press("q")


def test_hotkeys_never_take_a_fixed_key(make_project, backend_for):
    from lsx.engine.config import parse_config
    from lsx.tui.hotkeys import assign_hotkeys
    from lsx.tui.spec import build_spec

    labels = "".join(f'<Label value="L{i}"/>' for i in range(40))
    xml = (f'<View><Labels name="l" toName="t">{labels}<Label value="Q" hotkey="q"/></Labels>'
           '<Text name="t" value="$t"/></View>')
    spec = build_spec(parse_config(xml).interface_tree({"t": "x"}))
    keys = assign_hotkeys(spec)
    assert not set(keys) & RESERVED
    assert keys["1"][1].value == "L0" and keys["0"][1].value == "L9" and keys["b"][1].value == "L10"
    assert "q" not in keys
