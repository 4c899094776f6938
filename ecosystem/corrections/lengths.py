"""Maximum lengths of what the corrections loop stores, each in one place.

The public form (`max_chars`), the server-side validation caps and the database columns (models.py) all read
these constants: a value the form lets through always fits its column, on SQLite (which does not enforce
lengths) as on PostgreSQL (which refuses a longer value with StringDataRightTruncation). Columns of type Text
have no limit in the database; their cap is the validation's only. Changing a length that a String column
uses needs an Alembic migration as well.
"""

# Entity identifiers (String column). Identifiers derived from a name are cut to this length, suffix included.
ENTITY_ID = 120

# Proposed values (stored as Text; the caps keep requests readable for staff).
NAME = 200
ADDRESS = 300
CITY = 100
WEBSITE = 300
POSTCODE = 5
FOUNDED = 4
WORKFORCE = 7
COORDINATE = 20
DESCRIPTION = 1200

OTHER_TEXT = 2000  # a proposed value without a cap of its own above

# The contact block (String columns except the comment).
CONTACT_NAME = 200
EMAIL = 254  # RFC 5321 path limit
ORGANISATION = 200
COMMENT = 2000

# Written by the application or by staff.
REFERENCE = 20  # CORR-YYYY-NNNNNN (up to ten digits)
REVIEWER = 100  # a staff login name
FIELD = 40
KIND = 10
STATUS = 12
RELATION = 20
LANGUAGE = 2
SHA256_HEX = 64  # session fingerprints and content digests
REASON = 2000  # a rejection reason, typed by staff (stored as Text)
