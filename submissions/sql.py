"""Every SQL statement of the workflow, in one place (house style §8).

Values are always bound as ``$name`` parameters; nothing is ever spliced into a statement
(the versions table's name is a constant written here).
The workflow keeps its own schema-versions table (``workflow_migrations``) beside the
leaderboard's, in the same DuckDB file, so either package can evolve its schema alone.
``audit_log`` is append-only: this module has INSERT and SELECT statements for it and no
UPDATE or DELETE, and each entry's hash chains it to the previous one (see ``audit.py``).
"""

from __future__ import annotations

from typing import Final

from leaderboard.sql import schema_versions_statements

# the workflow's own schema-versions table, beside the leaderboard's schema_migrations
CREATE_VERSIONS_TABLE, APPLIED_VERSIONS, RECORD_MIGRATION = schema_versions_statements(
    "workflow_migrations"
)

# Numbered and append-only: a released migration never changes; a change is a new entry.
MIGRATIONS: Final[tuple[tuple[int, str, tuple[str, ...]], ...]] = (
    (
        1,
        "submissions with state, verdict counts and decision; append-only hash-chained audit log",
        (
            """
            CREATE TABLE submissions (
                submission_id      INTEGER PRIMARY KEY,
                owner_subject      VARCHAR NOT NULL,  -- provider subject: decides ownership
                owner_label        VARCHAR NOT NULL,  -- e-mail or name: shown to people
                filename           VARCHAR NOT NULL,  -- as uploaded; never used as a path
                sha256             VARCHAR NOT NULL,  -- names the blob in storage_dir/blobs
                size_bytes         BIGINT NOT NULL,
                state              VARCHAR NOT NULL,
                received_at        TIMESTAMP NOT NULL,  -- UTC
                updated_at         TIMESTAMP NOT NULL,  -- UTC
                progress           VARCHAR NOT NULL,
                replaces           INTEGER,
                replaced_by        INTEGER,
                verdict            VARCHAR,
                error_count        INTEGER NOT NULL,
                warning_count      INTEGER NOT NULL,
                result_count       INTEGER NOT NULL,
                valid_result_count INTEGER NOT NULL,
                decision_reason    VARCHAR,
                decided_by         VARCHAR,
                work_attempts      INTEGER NOT NULL,  -- work steps started (crash guard)
                last_error         VARCHAR            -- why the last work step failed
            )
            """,
            "CREATE INDEX submissions_owner ON submissions (owner_subject, received_at)",
            """
            CREATE TABLE audit_log (
                sequence      INTEGER PRIMARY KEY,  -- 1, 2, 3, ... without gaps
                "at"          TIMESTAMP NOT NULL,   -- UTC ("at" is a keyword)
                actor_label   VARCHAR NOT NULL,
                actor_subject VARCHAR NOT NULL,
                submission_id INTEGER,
                action        VARCHAR NOT NULL,
                from_state    VARCHAR,
                to_state      VARCHAR,
                reason        VARCHAR,
                previous_hash VARCHAR NOT NULL,
                entry_hash    VARCHAR NOT NULL
            )
            """,
        ),
    ),
    (
        2,
        "organisations each login may submit for; the verified e-mail of each upload",
        (
            """
            CREATE TABLE submitter_organisations (
                login        VARCHAR NOT NULL,  -- issuer#subject, or a verified e-mail (lower case)
                organisation VARCHAR NOT NULL,  -- a submitter folder name, compared exactly
                granted_by   VARCHAR NOT NULL,
                granted_at   TIMESTAMP NOT NULL,  -- UTC
                reason       VARCHAR NOT NULL,
                source       VARCHAR NOT NULL,  -- settings or maintainer
                PRIMARY KEY (login, organisation)
            )
            """,
            # every pair the settings ever seeded: a revoked one is not seeded again
            """
            CREATE TABLE submitter_organisation_seeds (
                login        VARCHAR NOT NULL,
                organisation VARCHAR NOT NULL,
                seeded_at    TIMESTAMP NOT NULL,  -- UTC
                PRIMARY KEY (login, organisation)
            )
            """,
            # who uploaded, beyond the subject: the e-mail the provider verified at the time
            """
            CREATE TABLE submission_logins (
                submission_id  INTEGER PRIMARY KEY,
                verified_email VARCHAR  -- lower case; NULL when the provider did not verify one
            )
            """,
        ),
    ),
)

# --------------------------------------------------------------------------- submissions
SUBMISSION_COLUMNS: Final = (
    "submission_id, owner_subject, owner_label, filename, sha256, size_bytes, state, "
    "received_at, updated_at, progress, replaces, replaced_by, verdict, error_count, "
    "warning_count, result_count, valid_result_count, decision_reason, decided_by, "
    "work_attempts, last_error"
)
NEXT_SUBMISSION_ID: Final = "SELECT coalesce(max(submission_id), 0) + 1 FROM submissions"
INSERT_SUBMISSION: Final = f"""
INSERT INTO submissions ({SUBMISSION_COLUMNS}) VALUES (
    $submission_id, $owner_subject, $owner_label, $filename, $sha256, $size_bytes, $state,
    $received_at, $updated_at, $progress, $replaces, $replaced_by, $verdict, $error_count,
    $warning_count, $result_count, $valid_result_count, $decision_reason, $decided_by,
    $work_attempts, $last_error
)
"""
# One statement for every change of a submission: the caller reads the row, changes fields and
# writes it back only if the state is still the one it read (a lost race changes nothing).
UPDATE_SUBMISSION: Final = """
UPDATE submissions SET
    state = $state, updated_at = $updated_at, progress = $progress, replaced_by = $replaced_by,
    verdict = $verdict, error_count = $error_count, warning_count = $warning_count,
    result_count = $result_count, valid_result_count = $valid_result_count,
    decision_reason = $decision_reason, decided_by = $decided_by,
    work_attempts = $work_attempts, last_error = $last_error
WHERE submission_id = $submission_id AND state = $expected_state
"""
SUBMISSION_BY_ID: Final = (
    f"SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE submission_id = $submission_id"
)
SUBMISSIONS_BY_OWNER: Final = f"""
SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE owner_subject = $owner_subject
ORDER BY submission_id DESC
"""
# The same bytes from the same user find their earlier submission while it is undecided or
# accepted; after a withdrawal or a rejection sending them again is a deliberate new start
# (a fix of ours, a changed setting), so it makes a new submission.
DUPLICATE_OF: Final = f"""
SELECT {SUBMISSION_COLUMNS} FROM submissions
WHERE owner_subject = $owner_subject AND sha256 = $sha256 AND list_contains($states, state)
ORDER BY submission_id DESC LIMIT 1
"""
# The rate limit is counted from the table, so it survives restarts.
RECENT_BY_OWNER: Final = """
SELECT count(*), min(received_at) FROM submissions
WHERE owner_subject = $owner_subject AND received_at > $since
"""
SUBMISSIONS_IN_STATES: Final = f"""
SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE list_contains($states, state)
ORDER BY submission_id
"""
DECIDED: Final = f"""
SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE list_contains($states, state)
ORDER BY updated_at DESC, submission_id DESC LIMIT $limit
"""
SUBMISSION_STATES: Final = "SELECT submission_id, state FROM submissions"

# --------------------------------------------------------------------------- audit log
AUDIT_COLUMNS: Final = (
    'sequence, "at", actor_label, actor_subject, submission_id, action, from_state, to_state, '
    "reason, previous_hash, entry_hash"
)
AUDIT_HEAD: Final = "SELECT sequence, entry_hash FROM audit_log ORDER BY sequence DESC LIMIT 1"
INSERT_AUDIT: Final = f"""
INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (
    $sequence, $at, $actor_label, $actor_subject, $submission_id, $action, $from_state,
    $to_state, $reason, $previous_hash, $entry_hash
)
"""
AUDIT_ALL: Final = f"SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY sequence"
AUDIT_FOR_SUBMISSION: Final = f"""
SELECT {AUDIT_COLUMNS} FROM audit_log WHERE submission_id = $submission_id ORDER BY sequence
"""

# --------------------------------------------------------------------------- organisations
GRANT_COLUMNS: Final = "login, organisation, granted_by, granted_at, reason, source"
GRANTS_ALL: Final = f"""
SELECT {GRANT_COLUMNS} FROM submitter_organisations ORDER BY login, organisation
"""
GRANTS_OF: Final = f"""
SELECT {GRANT_COLUMNS} FROM submitter_organisations WHERE list_contains($logins, login)
ORDER BY organisation, login
"""
INSERT_GRANT: Final = f"""
INSERT INTO submitter_organisations ({GRANT_COLUMNS}) VALUES (
    $login, $organisation, $granted_by, $granted_at, $reason, $source
)
"""
GRANT_PAIRS: Final = "SELECT login, organisation FROM submitter_organisations"
DELETE_GRANT: Final = """
DELETE FROM submitter_organisations WHERE login = $login AND organisation = $organisation
"""
SEEDED_PAIRS: Final = "SELECT login, organisation FROM submitter_organisation_seeds"
INSERT_SEEDED: Final = """
INSERT INTO submitter_organisation_seeds (login, organisation, seeded_at)
VALUES ($login, $organisation, $seeded_at)
"""
INSERT_SUBMISSION_LOGIN: Final = """
INSERT INTO submission_logins (submission_id, verified_email) VALUES ($submission_id, $email)
"""
SUBMISSION_OWNER: Final = """
SELECT s.owner_subject, s.owner_label, l.verified_email
FROM submissions s LEFT JOIN submission_logins l USING (submission_id)
WHERE s.submission_id = $submission_id
"""
# Has anyone with this login ever uploaded (a grant for a login never seen may be a typo)?
LOGIN_SEEN: Final = """
SELECT count(*) FROM submissions s LEFT JOIN submission_logins l USING (submission_id)
WHERE s.owner_subject = $login OR l.verified_email = $login
"""
