// The annotation being edited: regions, classification values, relations, the selection, and the
// undo/redo history (snapshots taken when a change is committed, never mid-drag).

export class Store extends EventTarget {
  constructor() {
    super();
    this.regions = new Map(); // id -> region
    this.values = new Map(); // control name (+ "#item") -> {from_name, to_name, type, value, item_index}
    this.relations = []; // {from_id, to_id, direction, labels}
    this.selected = null; // region id
    this.past = [];
    this.future = [];
    this.dirty = false;
  }

  snapshot() {
    return JSON.stringify({ regions: [...this.regions.values()], values: [...this.values.entries()],
      relations: this.relations });
  }

  restore(snap) {
    const state = JSON.parse(snap);
    this.regions = new Map(state.regions.map((r) => [r.id, r]));
    this.values = new Map(state.values);
    this.relations = state.relations;
    if (this.selected && !this.regions.has(this.selected)) this.selected = null;
    this.emit("change");
  }

  /** Start history from the loaded state. */
  reset() {
    this.past = [this.snapshot()];
    this.future = [];
    this.dirty = false;
  }

  /** Record the current state as one undo step and tell the views. */
  commit() {
    const snap = this.snapshot();
    if (snap !== this.past[this.past.length - 1]) {
      this.past.push(snap);
      if (this.past.length > 200) this.past.shift();
      this.future = [];
      this.dirty = true;
    }
    this.emit("change");
  }

  undo() {
    if (this.past.length < 2) return false;
    this.future.push(this.past.pop());
    this.restore(this.past[this.past.length - 1]);
    return true;
  }

  redo() {
    if (!this.future.length) return false;
    const snap = this.future.pop();
    this.past.push(snap);
    this.restore(snap);
    return true;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  select(id) {
    if (this.selected === id) return;
    this.selected = id;
    this.emit("select", id);
  }

  get selectedRegion() {
    return this.selected ? this.regions.get(this.selected) : null;
  }

  add(region) {
    this.regions.set(region.id, region);
  }

  remove(id) {
    this.regions.delete(id);
    this.relations = this.relations.filter((r) => r.from_id !== id && r.to_id !== id);
    if (this.selected === id) this.selected = null;
  }

  /** A prediction region that the annotator changed. */
  touched(region) {
    if (region.origin === "prediction") region.origin = "prediction-changed";
  }

  setValue(key, entry) {
    if (entry === null) this.values.delete(key);
    else this.values.set(key, entry);
  }
}
