"""Terms of service with prominent notice: versions parsed into clauses, clause diffs,
materiality (does a change touch AI use?), summaries, notice periods, and the watcher of other
platforms' terms pages. Pure: callers bring the text, the times and the answers, and store the
results."""

from consentry.terms.diff import (
    ClauseChange,
    Edit,
    Segment,
    TermsDiff,
    diff_terms,
    edits,
    word_diff,
)
from consentry.terms.document import (
    Clause,
    TermsDocument,
    parse_terms,
    text_hash,
)
from consentry.terms.extraction import extract_paragraphs, extract_text, page_text_hash
from consentry.terms.lexicon import AI_TERMS, find_terms, mentioned_purposes
from consentry.terms.materiality import (
    Classification,
    ClassifiedChange,
    Materiality,
    Reason,
    TermsReview,
    classify_change,
    classify_diff,
    classify_texts,
    introduced_purposes,
    review_terms,
)
from consentry.terms.normalisation import normalise_line_endings, normalise_text
from consentry.terms.notice import (
    DEFAULT_NOTICE_PERIOD,
    Account,
    RefusalConsequence,
    ReviewBaseline,
    TermsResponse,
    TermsVersion,
    UserTermsState,
    affected_users,
    review_baseline,
    state_for_user,
)
from consentry.terms.summary import SummaryItem, TermsSummary, summarise
from consentry.terms.watcher import (
    PageSnapshot,
    ParagraphChange,
    SnapshotDiff,
    compare_snapshots,
    snapshot_page,
)

__all__ = [
    "AI_TERMS", "DEFAULT_NOTICE_PERIOD", "Account", "Classification", "ClassifiedChange",
    "Clause", "ClauseChange", "Edit", "Materiality", "PageSnapshot", "ParagraphChange", "Reason",
    "RefusalConsequence", "ReviewBaseline", "Segment", "SnapshotDiff", "SummaryItem",
    "TermsDiff", "TermsDocument", "TermsResponse", "TermsReview", "TermsSummary", "TermsVersion",
    "UserTermsState", "affected_users", "classify_change", "classify_diff", "classify_texts",
    "compare_snapshots", "diff_terms", "edits", "extract_paragraphs", "extract_text",
    "find_terms", "introduced_purposes", "mentioned_purposes", "normalise_line_endings",
    "normalise_text", "page_text_hash", "parse_terms", "review_baseline", "review_terms",
    "snapshot_page", "state_for_user", "summarise", "text_hash", "word_diff",
]
