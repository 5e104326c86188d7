"""``consentry usage``: usage and compensation statements for the operator, as a table or CSV."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from consentry.cli import context
from consentry.cli.console import out, print_json
from consentry.cli.options import JsonFlag
from consentry.store.usage import check_parties, compensation, count_uses, iter_uses, names_for
from consentry.usage import (
    COMPENSATION_COLUMNS,
    USE_COLUMNS,
    UsageScope,
    Use,
    View,
    compensation_lines,
    compensation_row,
    csv_chunks,
    parse_period,
    parse_pool,
    use_row,
)
from consentry.usage.money import format_minor

usage_app = typer.Typer(help="Usage and compensation statements.", no_args_is_help=True)
SHOWN_ROWS = 500  # a terminal table; --csv and --json give every row

From = Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (UTC)")]
To = Annotated[str, typer.Option("--to", help="Last day, included, YYYY-MM-DD (UTC)")]
Artist = Annotated[int | None, typer.Option("--artist", help="One artist's statement")]
Holder = Annotated[int | None, typer.Option("--rights-holder", help="One label's statement")]
Csv = Annotated[bool, typer.Option("--csv", help="Every row as CSV on standard output")]


def _use(use: Use) -> list[object]:
    return [use.snapshot_id, use.taken_at, use.decided_at, use.consumer_id, use.consumer_name,
            use.purpose, use.track_id, use.track_title]


@usage_app.command("statement", epilog="Example: consentry usage statement --artist 2 "
                                       "--from 2026-11-01 --to 2026-11-30 --csv")
def statement(
    from_: From, to: To, artist: Artist = None, rights_holder: Holder = None,
    consumer: Annotated[int | None, typer.Option(help="One consumer's uses")] = None,
    csv: Csv = False, json_output: JsonFlag = False,
) -> None:
    """Every AI use in the period (one track in one dataset snapshot): whose, by which
    consumer, for which purpose, when. Without --artist/--rights-holder/--consumer: all."""
    period = parse_period(from_, to)
    scope = UsageScope(artist, rights_holder, consumer)
    engine = context.engine()
    with engine.connect() as conn:
        check_parties(conn, scope)
        if csv:
            for chunk in csv_chunks(USE_COLUMNS,
                                    (use_row(u) for u in iter_uses(conn, scope, period))):
                typer.echo(chunk, nl=False)
            return
        total = count_uses(conn, scope, period)
        if json_output:  # the API's body, all on one page
            print_json({"from": period.first, "to": period.last, "artist_id": artist,
                        "rights_holder_id": rights_holder, "consumer_id": consumer,
                        "total": total, "uses": [
                            dict(zip(USE_COLUMNS, _use(u), strict=True))
                            for u in iter_uses(conn, scope, period)]})
            return
        table = Table(title=f"{total} uses, {period}")
        for column in ("snapshot", "taken at", "consumer", "purpose", "track"):
            table.add_column(column)
        for shown, use in enumerate(iter_uses(conn, scope, period)):
            if shown == SHOWN_ROWS:
                break
            table.add_row(str(use.snapshot_id), f"{use.taken_at:%Y-%m-%d %H:%M:%S}",
                          use.consumer_name or "-", use.purpose,
                          f"{use.track_id} {use.track_title}")
    out.print(table)
    if total > SHOWN_ROWS:
        out.print(f"the first {SHOWN_ROWS} of {total} shown; --csv gives them all")


@usage_app.command("compensation", epilog="Example: consentry usage compensation --pool "
                                          "100000 --currency EUR --from 2026-11-01 --to "
                                          "2026-11-30 --artist 1")
def compensation_statement(
    pool: Annotated[str, typer.Option(help="The pool in minor units (cents), e.g. 100000")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. EUR")],
    from_: From, to: To,
    consumer: Annotated[int | None, typer.Option(help="Pay for this consumer's uses only")] = None,
    artist: Artist = None, rights_holder: Holder = None, csv: Csv = False,
    json_output: JsonFlag = False,
) -> None:
    """The pool shared over the period's uses, a unit per track per snapshot, then each
    track over its co-owners by their shares; largest remainders, exact to the cent."""
    period, money = parse_period(from_, to), parse_pool(pool, currency)
    scope = UsageScope(artist, rights_holder)  # refuses both at once
    view, subject = ((View.ARTIST, artist) if artist is not None else
                     (View.RIGHTS_HOLDER, rights_holder) if rights_holder is not None
                     else (View.ALL, None))
    engine = context.engine()
    with engine.connect() as conn:
        check_parties(conn, scope)
        check_parties(conn, UsageScope(consumer_id=consumer))
        result = compensation(engine, money.amount, period, consumer)
        titles, names = names_for(conn, result, view, subject)
    lines = compensation_lines(result, view, subject, titles, names)
    if csv:
        for chunk in csv_chunks(COMPENSATION_COLUMNS,
                                (compensation_row(x, money.currency) for x in lines)):
            typer.echo(chunk, nl=False)
        return
    if json_output:  # the API's body
        print_json({"pool": money.amount, "currency": money.currency, "from": period.first,
                    "to": period.last, "consumer_id": consumer,
                    "total_units": result.total_units, "undistributed": result.undistributed,
                    "view": view.value, "subject_id": subject,
                    "total": sum(x.amount for x in lines), "lines": [
                        {"track_id": x.track_id, "track": x.track_title, "units": x.units,
                         "track_amount": x.track_amount, "artist_id": x.artist_id,
                         "artist": x.artist_name, "basis_points": x.basis_points,
                         "amount": x.amount} for x in lines]})
        return
    pay = format_minor(money.amount, money.currency)
    table = Table(title=f"{pay} over {result.total_units} uses, {period}")
    for column in ("track", "units", "track amount", "artist", "share", "amount"):
        table.add_column(column, justify="right" if column != "track" else "left")
    for line in lines[:SHOWN_ROWS]:
        table.add_row(f"{line.track_id} {line.track_title}", str(line.units),
                      format_minor(line.track_amount, money.currency),
                      "-" if line.artist_id is None else f"{line.artist_id} {line.artist_name}",
                      "-" if line.basis_points is None else f"{line.basis_points / 100:g} %",
                      format_minor(line.amount, money.currency))
    out.print(table)
    if len(lines) > SHOWN_ROWS:
        out.print(f"the first {SHOWN_ROWS} of {len(lines)} lines shown; --csv gives them all")
    out.print(f"total of these lines: {format_minor(sum(x.amount for x in lines), money.currency)}"
              f" ({sum(x.amount for x in lines)} minor units)")
    if result.undistributed:
        out.print(f"no uses in the period: {pay} undistributed")
