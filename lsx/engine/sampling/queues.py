"""Label Studio's queue labels: every served task says which queue it came from (§4, step 8)."""

MANUAL = "Manually assigned queue"
TASK_LOCK = "Task lock"
GROUND_TRUTH = "Onboarding ground truth queue"
LOW_AGREEMENT = "Low agreement queue"
BREADTH_FIRST = "Breadth first queue"
OVERLAP_FIRST = "Show overlap first"
SEQUENCE = "Sequence queue"
ACTIVE_LEARNING = "Active learning or random queue"
UNIFORM = "Uniform random queue"
DATA_MANAGER = "Data manager queue"
POSTPONED = "Postponed draft queue"
SKIPPED = "Skipped queue"
# lsx only: the confidence strategy (highest score first) has no Label Studio counterpart.
CONFIDENCE = "Confidence queue"


def join(*labels: str) -> str:
    """Label Studio joins the labels that applied with ' & '."""
    return " & ".join(label for label in labels if label)
