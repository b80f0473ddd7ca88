"""The selectors other apps call (notifications, evaluations, dashboard) keep their shape."""

from meetings import selectors

from .factories import OpinionFactory, SelfReviewFactory, TalkFactory


def test_talk_coverage_has_required_done_missing_and_complete(meeting, people):
    TalkFactory(meeting=meeting, member_a=people["李建国"], member_b=people["王秀兰"])
    cov = selectors.talk_coverage(meeting=meeting)
    assert len(cov.required) == 56 and len(cov.done) == 1 and len(cov.missing) == 55
    assert cov.complete is False
    pair = cov.done[0]
    assert (pair.a.name, pair.b.name, pair.rule_label) == ("李建国", "王秀兰", "支委之间")
    a, b, label = cov.missing[0]
    assert a is not None and isinstance(label, str)


def test_self_reviews_missing_lists_members_without_a_submitted_review(meeting, people):
    SelfReviewFactory(meeting=meeting, member=people["李建国"], status="approved")
    SelfReviewFactory(meeting=meeting, member=people["王秀兰"], status="submitted")
    SelfReviewFactory(meeting=meeting, member=people["赵磊"], status="returned")
    SelfReviewFactory(meeting=meeting, member=people["杨丽"], status="draft")
    missing = selectors.self_reviews_missing(meeting=meeting)
    names = [m.name for m in missing]
    assert len(missing) == 26 and "赵磊" in names and "杨丽" in names and "李建国" not in names


def test_opinions_summary_counts(meeting):
    OpinionFactory(meeting=meeting, channel="box")
    OpinionFactory(meeting=meeting, channel="public", status="resolved", answer="好")
    summary = selectors.opinions.opinions_summary(meeting=meeting)
    assert {k: summary[k] for k in ("total", "answered", "resolved", "open")} == {"total": 2, "answered": 0, "resolved": 1, "open": 1}
    assert summary["by_channel"] == {"public": 1, "box": 1}
    assert summary["channel_labels"]["box"] == "意见箱"


def test_members_present_is_none_before_attendance(meeting):
    assert selectors.members_present(meeting=meeting) is None
