from datetime import UTC, datetime, timedelta, timezone

from consentline.domain.timefmt import iso_z


def test_a_utc_moment_ends_in_z_and_drops_zero_microseconds() -> None:
    assert iso_z(datetime(2026, 3, 1, 9, 30, tzinfo=UTC)) == "2026-03-01T09:30:00Z"
    assert iso_z(datetime(2026, 3, 1, 9, 30, 0, 250000, tzinfo=UTC)) == (
        "2026-03-01T09:30:00.250000Z"
    )


def test_none_stays_none() -> None:
    assert iso_z(None) is None


def test_another_zone_is_written_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert iso_z(datetime(2026, 3, 1, 10, 30, tzinfo=paris)) == "2026-03-01T09:30:00Z"


def test_fixed_width_microseconds_for_exports() -> None:
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert iso_z(moment, "microseconds") == "2026-03-01T09:30:00.000000Z"
    assert iso_z(moment, "microseconds") == moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
