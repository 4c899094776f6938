"""Command line.

- `python -m ecosystem check [FILE]`: counts by kind and by département, completeness per column; exits 0 when
  the file is valid, 1 with every problem listed otherwise.
- `python -m ecosystem place [FILE] [--write]`: fills commune and point (commune precision) of rows that have a
  postcode and city but no coordinates, and spreads rows sharing a commune point; prints what it would change.
- `python -m ecosystem migrate`: creates or upgrades the corrections database (DATABASE_URL, else SQLite in var/).
- `python -m ecosystem hash-password`: reads a password (not echoed) and prints its bcrypt hash for a staff
  account; a password shorter than 12 characters is refused with that rule (exit 1).
- `python -m ecosystem export-current [FILE]`: writes the current dataset (seed + accepted corrections) in the
  seed file's format.
- `python -m ecosystem import FILE [--dry-run] [--reviewer NAME] [--set FIELD=VALUE]… [--accept-matches]`: reads
  a staff inventory (CSV in any delimiter and encoding, or XLSX), maps its columns, prints the row report, where
  each themes value went, the unknown values with suggestions, the uncertain matches with map entries and the
  diff against the current dataset, and applies it in one transaction unless --dry-run. `--set kind=company`
  gives rows without a kind that one; uncertain matches are applied only with --accept-matches. Exits 0 whenever
  the file could be read, rows in error included (they are in the report); 1 with the reason when it cannot be
  read (missing, empty, damaged workbook); 2 for a usage error (argparse, an invalid --set).
"""

from __future__ import annotations

import argparse
import sys

from ecosystem.i18n import t
from ecosystem.loading import read_entities_csv, to_geodataframe
from ecosystem.placement import geocode_missing, spread_colocated
from ecosystem.schema import SEED_FILE
from ecosystem.stats import completeness, departement_counts, kind_counts
from ecosystem.targets import targets
from ecosystem.validation import validate


def check(path: str) -> int:
    raw = read_entities_csv(path)
    problems = validate(raw)
    entities = to_geodataframe(raw)
    print(f"{path}: {len(raw)} lignes")
    print("\nPar type :")
    for kind, count in kind_counts(entities).items():
        print(f"  {kind:<14}{count:>5}")
    print("\nPar département :")
    for row in departement_counts(entities).itertuples():
        print(f"  {row.key} {row.label:<20}{row.count:>5}")
    print("\nComplétude par colonne :")
    for row in completeness(raw).itertuples():
        print(f"  {row.column:<20}{row.filled:>7.0%}")
    to_review = int((raw["status"] == "to_review").sum())
    print(f"\nLignes à vérifier (status=to_review) : {to_review}")
    print("\nObjectifs de publication :")
    for target in targets(raw):
        print(f"  {target}")
    if problems:
        print(f"\n{len(problems)} problème(s) :")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print("\nAucun problème.")
    return 0


def place(path: str, write: bool) -> int:
    raw = read_entities_csv(path)
    placed, messages = geocode_missing(raw)
    placed = spread_colocated(placed)
    moved = (placed[["commune_code", "lat", "lon"]] != raw[["commune_code", "lat", "lon"]]).any(axis=1)
    for row in placed[moved].itertuples():
        print(f"  {row.id}: {row.commune_code} ({row.lat}, {row.lon})")
    for message in messages:
        print(f"  non placé — {message}")
    print(f"{int(moved.sum())} ligne(s) placée(s), {len(messages)} non placée(s)")
    if write and moved.any():
        placed.to_csv(path, index=False, lineterminator="\n")
        print(f"écrit : {path}")
    return 1 if messages else 0


def import_file(path: str, dry_run: bool, reviewer: str, defaults: dict[str, str] | None = None,
                accept_matches: bool = False) -> int:
    from pathlib import Path

    from ecosystem.corrections.db import connect
    from ecosystem.corrections.service import current_raw
    from ecosystem.import_mapping import known_headers, suggest_columns
    from ecosystem.import_plan import (applied_text, apply_import, describe_match, hint, plan_import, summary_text,
                                       target_label)
    from ecosystem.import_read import UnreadableFile, checksum, read_upload, visible

    try:
        data = Path(path).read_bytes()
        read = read_upload(data, Path(path).name, known_headers())
    except OSError as error:  # missing, a directory, no permission: a message, not a traceback
        detail = t("import_err_open", detail=visible(f"{path} : {error.strerror or error}"))
        print(t("unreadable", error=detail), file=sys.stderr)
        return 1
    except UnreadableFile as error:
        print(t("unreadable", error=error.message("fr")), file=sys.stderr)
        return 1
    mapping = suggest_columns(list(read.table.columns))
    factory = connect()
    plan = plan_import(read, mapping, Path(path).name, checksum(data), current_raw(factory), defaults=defaults,
                       accept_matches=accept_matches)
    print(f"{visible(path)} : {len(read.table)} lignes ({read.encoding or 'xlsx'}"
          f"{', séparateur « ' + read.delimiter + ' »' if read.delimiter else ''}, en-tête ligne "
          f"{read.header_row + 1}, {read.skipped_empty_rows} ligne(s) vide(s) ignorée(s))")
    print("Colonnes : " + ", ".join(f"{source} → {target or '(ignorée)'}" for source, target in mapping.items()))
    if defaults:
        print(t("import_cli_defaults", defaults=", ".join(f"{k} = {v}" for k, v in defaults.items())))
    for line in plan.report().itertuples():
        print(f"  ligne {line.line} [{line.status}] {line.name} {line.change} {line.fields} {line.reasons}".rstrip())
    routing = plan.routing()
    if len(routing):
        print(t("import_routing_title") + " :")
        for row in routing.itertuples():
            print(f"  « {row.value} » → {row.went} ({row.rows})")
    unknown = [(target, value, rows) for (target, value), rows in plan.unknown_values.items()]
    if unknown:
        print(t("import_cli_unknown"))
        for target, value, rows in unknown:
            print(f"  {target_label(target)} : « {visible(value, 80)} » ({rows})"
                  f"{hint(plan.suggested.get((target, value), []), 'fr')}")
    if plan.uncertain:
        print(t("import_cli_uncertain"))
        for result in plan.uncertain:
            print(f"  ligne {result.line} « {visible(result.name, 120)} » ↔ {describe_match(result, 'fr')}")
    counts = plan.counts()
    print(summary_text(counts))
    if dry_run:
        print("Essai à blanc : rien n'a été écrit.")
        return 0
    applied = apply_import(factory, plan, reviewer)
    print(applied_text(plan.reference, applied))
    return 0


def default_value(text: str) -> tuple[str, str]:
    """--set FIELD=VALUE, checked by the parser (a malformed one is a usage error, exit 2)."""
    column, equals, value = text.partition("=")
    if not equals or not column.strip():
        raise argparse.ArgumentTypeError(t("import_cli_set_format", value=text))
    return column.strip(), value.strip()


def reviewer_name(value: str) -> str:
    """--reviewer is written into the history: the form's text check, within the reviewer column's length."""
    from ecosystem.corrections import lengths
    from ecosystem.corrections.validation import text_problem

    name = value.strip()
    problem = text_problem(name, lengths.REVIEWER, multiline=False) or (None if name else ("err_required", {}))
    if problem:
        raise argparse.ArgumentTypeError(t(problem[0], **problem[1]))
    return name


MIN_PASSWORD_LENGTH = 12  # as ecosystem.corrections.auth.hash_password requires


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecosystem")
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="valider data/entities.csv et afficher les comptes")
    check_parser.add_argument("file", nargs="?", default=str(SEED_FILE))
    place_parser = commands.add_parser("place", help="placer (à la commune) les lignes sans coordonnées")
    place_parser.add_argument("file", nargs="?", default=str(SEED_FILE))
    place_parser.add_argument("--write", action="store_true", help="écrire le fichier (sinon : aperçu)")
    commands.add_parser("migrate", help="créer ou mettre à jour la base des corrections")
    commands.add_parser("hash-password", help="empreinte bcrypt d'un mot de passe de l'équipe")
    export_parser = commands.add_parser("export-current", help="exporter le jeu de données courant")
    export_parser.add_argument("file", nargs="?", default="-")
    import_parser = commands.add_parser("import", help="importer un inventaire (CSV ou XLSX)",
                                        epilog=t("import_cli_epilog"))
    import_parser.add_argument("file")
    import_parser.add_argument("--dry-run", action="store_true", help="rapport et différences, sans rien écrire")
    import_parser.add_argument("--reviewer", default="ligne-de-commande", type=reviewer_name)
    from ecosystem.import_mapping import DEFAULTABLE

    import_parser.add_argument("--set", dest="defaults", action="append", default=[], type=default_value,
                               metavar="CHAMP=VALEUR", help=t("import_cli_set_help", allowed=", ".join(DEFAULTABLE)))
    import_parser.add_argument("--accept-matches", action="store_true", help=t("import_cli_accept_help"))
    args = parser.parse_args(argv)
    if args.command == "import":
        from ecosystem.import_plan import InvalidDefault, resolve_defaults

        try:
            defaults = resolve_defaults(dict(args.defaults))
        except InvalidDefault as error:
            import_parser.error(str(error))  # exits 2, as for any malformed command
        return import_file(args.file, args.dry_run, args.reviewer, defaults, args.accept_matches)
    if args.command == "place":
        return place(args.file, args.write)
    if args.command == "migrate":
        from ecosystem.corrections.db import database_url, migrate

        migrate(database_url())
        print("base des corrections à jour")
        return 0
    if args.command == "hash-password":
        import getpass

        from ecosystem.corrections.auth import hash_password

        try:
            password = getpass.getpass(t("cli_password_prompt"))
        except (EOFError, KeyboardInterrupt):  # Ctrl-D, Ctrl-C: nothing to hash
            print(file=sys.stderr)
            return 1
        if len(password) < MIN_PASSWORD_LENGTH:  # the rule, not a traceback (hash_password refuses it too)
            print(t("cli_password_too_short", count=len(password)), file=sys.stderr)
            return 1
        print(hash_password(password))
        return 0
    if args.command == "export-current":
        from ecosystem.corrections.db import connect
        from ecosystem.corrections.service import export_current_csv

        data = export_current_csv(connect())
        if args.file == "-":
            sys.stdout.buffer.write(data)
        else:
            with open(args.file, "wb") as handle:
                handle.write(data)
        return 0
    return check(args.file)


if __name__ == "__main__":
    sys.exit(main())
