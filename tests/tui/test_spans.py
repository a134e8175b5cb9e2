"""Span labeling: multi-label NER with overlapping spans and a relation, dialogue with
ParagraphLabels, and a per-region TextArea; each stored result in Label Studio's shape."""

from __future__ import annotations

from lsx.tui.app import LabelApp
from tests.tui.conftest import SIZE, keys_for, strip_ids

NER = """<View>
  <Labels name="ner" toName="text" choice="multiple">
    <Label value="ORG"/><Label value="LOC"/><Label value="BRAND"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Relations><Relation value="hired"/></Relations>
</View>"""


async def test_multilabel_ner_with_overlapping_spans_and_a_relation(make_project, backend_for, annotations) -> None:
    pid = make_project(NER, [{"text": "The New York Times hired Ann."}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+right")  # cursor on "New"
        await pilot.press("ctrl+shift+right", "ctrl+shift+right", "ctrl+shift+right", "1")  # New York Times: ORG
        await pilot.press("3")  # ...and BRAND too (multi-label on the new region)
        await pilot.press("ctrl+left", "ctrl+left", "ctrl+left")  # back to "New"
        await pilot.press("ctrl+shift+right", "ctrl+shift+right", "2")  # New York: LOC, overlapping
        await pilot.press(*["ctrl+right"] * 3, "2")  # "Ann": LOC by mistake...
        await pilot.press("ctrl+z")  # ...undone
        await pilot.press("ctrl+y", "delete")  # redo, then delete it by hand
        await pilot.press("ctrl+z")  # and bring it back
        await pilot.press("left_square_bracket", "left_square_bracket")  # from Ann back to New York Times
        await pilot.press("ctrl+r", "right_square_bracket", "right_square_bracket", "ctrl+r", "1")  # -> Ann: hired
        await pilot.press("enter")
        await pilot.pause()
        assert app.finished, app.message
    [ann] = annotations(pid)

    def span(s: int, e: int, text: str, labels: list[str], rid: str) -> dict:
        return {"value": {"start": s, "end": e, "text": text, "labels": labels}, "id": rid, "from_name": "ner",
                "to_name": "text", "type": "labels", "origin": "manual"}

    assert strip_ids(ann["result"]) == strip_ids([
        span(4, 18, "New York Times", ["ORG", "BRAND"], "a"),
        span(4, 12, "New York", ["LOC"], "b"),
        span(25, 28, "Ann", ["LOC"], "c"),
        {"from_id": "a", "to_id": "c", "type": "relation", "direction": "right", "labels": ["hired"]},
    ])


DIALOGUE = """<View>
  <ParagraphLabels name="intent" toName="dialogue">
    <Label value="Greeting"/><Label value="Complaint"/>
  </ParagraphLabels>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue" nameKey="author" textKey="text"/>
</View>"""


async def test_dialogue_with_paragraph_labels(make_project, backend_for, annotations) -> None:
    dialogue = [{"author": "Alice", "text": "Hi there."}, {"author": "Bob", "text": "My order is late."}]
    pid = make_project(DIALOGUE, [{"dialogue": dialogue}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.query_one("#obj-dialogue").render().plain
        assert "Alice: Hi there." in screen and "Bob: My order is late." in screen
        await pilot.press("shift+down", "1")  # first utterance (a sentence): Greeting
        await pilot.press("shift+down", "2")  # the cursor waits at the next one: Complaint
        await pilot.press("enter")
        await pilot.pause()
        assert app.finished, app.message
    [ann] = annotations(pid)
    assert strip_ids(ann["result"]) == strip_ids([
        {"value": {"start": "0", "end": "0", "startOffset": 0, "endOffset": 9, "text": "Hi there.",
                   "paragraphlabels": ["Greeting"]},
         "id": "a", "from_name": "intent", "to_name": "dialogue", "type": "paragraphlabels", "origin": "manual"},
        {"value": {"start": "1", "end": "1", "startOffset": 0, "endOffset": 17, "text": "My order is late.",
                   "paragraphlabels": ["Complaint"]},
         "id": "b", "from_name": "intent", "to_name": "dialogue", "type": "paragraphlabels", "origin": "manual"},
    ])


PER_REGION = """<View>
  <Labels name="label" toName="text"><Label value="Name"/></Labels>
  <Text name="text" value="$text"/>
  <View visibleWhen="region-selected">
    <Header value="Spelling of the selected name"/>
    <TextArea name="spelling" toName="text" perRegion="true" editable="true"/>
  </View>
</View>"""


async def test_per_region_textarea(make_project, backend_for, annotations) -> None:
    pid = make_project(PER_REGION, [{"text": "Call Jon now"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        assert not app.rendered.controls["spelling"].display  # no region selected yet
        await pilot.press("ctrl+right", "1")  # "Jon": Name, and it is selected
        assert app.rendered.controls["spelling"].display
        await pilot.press("tab", *keys_for("John"), "enter", "escape", "enter")
        await pilot.pause()
        assert app.finished, app.message
    [ann] = annotations(pid)
    assert strip_ids(ann["result"]) == strip_ids([
        {"value": {"start": 5, "end": 8, "text": "Jon", "labels": ["Name"]}, "id": "a", "from_name": "label",
         "to_name": "text", "type": "labels", "origin": "manual"},
        {"value": {"start": 5, "end": 8, "text": ["John"]}, "id": "a", "from_name": "spelling",
         "to_name": "text", "type": "textarea", "origin": "manual"},
    ])
