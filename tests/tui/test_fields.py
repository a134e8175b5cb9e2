"""Value controls end to end: taxonomy, rating + number + datetime, pairwise."""

from __future__ import annotations

from lsx.tui.app import LabelApp
from tests.tui.conftest import SIZE, keys_for, strip_ids

TAXONOMY = """<View>
  <Text name="text" value="$text"/>
  <Taxonomy name="topic" toName="text">
    <Choice value="Science">
      <Choice value="Physics"/>
      <Choice value="Biology"/>
    </Choice>
    <Choice value="Sports">
      <Choice value="Tennis"/>
    </Choice>
  </Taxonomy>
</View>"""


async def test_taxonomy_search_and_pick(make_project, backend_for, annotations) -> None:
    pid = make_project(TAXONOMY, [{"text": "Cells divide; a racket hits a ball."}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", *keys_for("bio"), "enter")  # search, Enter picks the first match
        await pilot.press("ctrl+u", *keys_for("tennis"), "down", "enter")  # or go to the list and pick there
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert app.finished, app.message
    [ann] = annotations(pid)
    assert strip_ids(ann["result"]) == strip_ids([
        {"value": {"taxonomy": [["Science", "Biology"], ["Sports", "Tennis"]]}, "id": "a", "from_name": "topic",
         "to_name": "text", "type": "taxonomy", "origin": "manual"},
    ])


RATING_NUMBER_DATE = """<View>
  <Text name="text" value="$text"/>
  <Rating name="quality" toName="text" maxRating="5" required="true"/>
  <Number name="count" toName="text" min="0" max="100"/>
  <DateTime name="when" toName="text" only="date"/>
</View>"""


async def test_rating_number_and_datetime(make_project, backend_for, annotations) -> None:
    pid = make_project(RATING_NUMBER_DATE, [{"text": "Three birds seen on 2024-05-01."}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "right", "right", "right", "left")  # focus the stars: 3
        await pilot.press("tab", *keys_for("3"))
        await pilot.press("tab", *keys_for("2024-05-01"), "escape", "enter")
        await pilot.pause()
        assert app.finished, app.message
    [ann] = annotations(pid)
    assert strip_ids(ann["result"]) == strip_ids([
        {"value": {"rating": 2}, "id": "a", "from_name": "quality", "to_name": "text", "type": "rating",
         "origin": "manual"},
        {"value": {"number": 3}, "id": "b", "from_name": "count", "to_name": "text", "type": "number",
         "origin": "manual"},
        {"value": {"datetime": "2024-05-01"}, "id": "c", "from_name": "when", "to_name": "text",
         "type": "datetime", "origin": "manual"},
    ])


async def test_out_of_range_number_is_refused_by_the_engine(make_project, backend_for, annotations) -> None:
    pid = make_project(RATING_NUMBER_DATE, [{"text": "x"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab", *keys_for("500"))
        await pilot.pause()
        assert "100" in app.message
        assert app.state is not None and "count" not in app.state.answers


PAIRWISE = """<View>
  <Header value="Which answer is better?"/>
  <Text name="a" value="$a"/>
  <Text name="b" value="$b"/>
  <Pairwise name="pw" toName="a,b"/>
</View>"""


async def test_pairwise(make_project, backend_for, annotations) -> None:
    pid = make_project(PAIRWISE, [{"a": "Paris is the capital.", "b": "Lyon is the capital."}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "1", "enter")  # right, then changed my mind: left
        await pilot.pause()
        assert app.finished, app.message
    [ann] = annotations(pid)
    assert strip_ids(ann["result"]) == strip_ids([
        {"value": {"selected": "left"}, "id": "a", "from_name": "pw", "to_name": "pw", "type": "pairwise",
         "origin": "manual"},
    ])
