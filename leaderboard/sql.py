"""Every SQL statement of the leaderboard, in one place (house style §8).

Values are always bound as ``$name`` parameters; no input is ever spliced into a statement
(sorting happens in Polars on the fetched rows). The only text assembled here is fixed: the
shared expressions below and one predicate per list filter (:data:`FILTER_PREDICATES`).
Migrations are numbered and append-only: a released migration never changes, a new schema
change is a new entry.
"""

from __future__ import annotations

from functools import cache
from typing import Final

# --------------------------------------------------------------------------- schema
MIGRATIONS: Final[tuple[tuple[int, str, tuple[str, ...]], ...]] = (
    (
        1,
        "systems, results with provenance, imports, accelerator catalogue and name mapping",
        (
            """
            CREATE TABLE imports (
                import_id   VARCHAR PRIMARY KEY,  -- sha256 of what was imported
                kind        VARCHAR NOT NULL,     -- seed, summary_json, summary_csv, results_tree
                source      VARCHAR NOT NULL,     -- file or folder imported
                rows_added  INTEGER NOT NULL,
                imported_at TIMESTAMP NOT NULL
            )
            """,
            """
            CREATE TABLE systems (
                system_uid                VARCHAR PRIMARY KEY,  -- round/division/submitter/system
                round                     VARCHAR NOT NULL,
                division                  VARCHAR NOT NULL,
                submitter                 VARCHAR NOT NULL,
                system_id                 VARCHAR NOT NULL,
                system_name               VARCHAR,
                availability              VARCHAR,
                system_type               VARCHAR,
                number_of_nodes           INTEGER,
                host_processor_model_name VARCHAR,
                host_processors_per_node  INTEGER,
                host_processor_core_count VARCHAR,
                accelerator_model_name    VARCHAR NOT NULL,
                accelerators_per_node     INTEGER,
                framework                 VARCHAR,
                operating_system          VARCHAR,
                description               JSON          -- full systems/<sys>.json when known
            )
            """,
            """
            CREATE TABLE results (
                result_id         VARCHAR PRIMARY KEY,  -- round/<Location in the results repo>
                system_uid        VARCHAR NOT NULL,
                round             VARCHAR NOT NULL,
                division          VARCHAR NOT NULL,
                benchmark         VARCHAR NOT NULL,     -- folder name as published
                benchmark_mlperf  VARCHAR NOT NULL,     -- the MLPerf benchmark it counts for
                scenario          VARCHAR NOT NULL,
                metric_key        VARCHAR,
                units             VARCHAR NOT NULL,
                value             DOUBLE NOT NULL,
                result_validity   VARCHAR,
                inferred          BOOLEAN,
                accuracy          VARCHAR,
                rouge1            DOUBLE,
                rouge2            DOUBLE,
                rougeL            DOUBLE,
                tokens_per_sample DOUBLE,
                ttft_p99_ms       DOUBLE,
                tpot_p99_ms       DOUBLE,
                power_units       VARCHAR,
                power             DOUBLE,
                weight_data_types VARCHAR,
                source_repo       VARCHAR,
                source_commit     VARCHAR,
                source_path       VARCHAR,
                data_origin       VARCHAR,
                official_value    DOUBLE,
                official_units    VARCHAR,
                official_power    DOUBLE,
                verification      VARCHAR NOT NULL,     -- how this number was checked
                import_id         VARCHAR NOT NULL
            )
            """,
            """
            CREATE TABLE accelerators (
                key                  VARCHAR PRIMARY KEY,
                vendor               VARCHAR NOT NULL,
                family               VARCHAR NOT NULL,
                model                VARCHAR NOT NULL,
                memory_gb            DOUBLE,
                peak_dense_tflops    DOUBLE,
                peak_precision       VARCHAR,
                memory_bandwidth_tbs DOUBLE,
                source               VARCHAR NOT NULL
            )
            """,
            """
            CREATE TABLE accelerator_names (
                raw_name        VARCHAR PRIMARY KEY,  -- accelerator_model_name as submitted
                accelerator_key VARCHAR,              -- NULL when unknown or mixed
                vendor          VARCHAR NOT NULL,
                family          VARCHAR NOT NULL,
                model           VARCHAR NOT NULL,
                is_known        BOOLEAN NOT NULL,
                is_mixed        BOOLEAN NOT NULL,
                is_cpu_only     BOOLEAN NOT NULL,
                listed_total    INTEGER               -- sum of '(xN)' counts if every part has one
            )
            """,
        ),
    ),
    (
        2,
        "result status changes after publication (withdrawn, invalidated, reinstated)",
        (
            """
            CREATE TABLE result_status_changes (
                change_id   INTEGER PRIMARY KEY,  -- 1, 2, 3, ... in the order recorded
                result_id   VARCHAR NOT NULL,
                status      VARCHAR NOT NULL
                            CHECK (status IN ('withdrawn', 'invalidated', 'reinstated')),
                reason      VARCHAR NOT NULL,     -- public: shown in the change log
                changed_at  TIMESTAMP NOT NULL,   -- UTC
                recorded_by VARCHAR NOT NULL      -- private: never in the public change log
            )
            """,
            # the latest change of each result decides whether it is shown
            """
            CREATE VIEW retracted_results AS
            SELECT result_id FROM result_status_changes
            GROUP BY result_id
            HAVING arg_max(status, change_id) IN ('withdrawn', 'invalidated')
            """,
        ),
    ),
    (
        3,
        "every value the validator holds, the direction of each number, and provenance tiers",
        (
            # which way is better (from the rules; rows stored before are backfilled by
            # BACKFILL_DIRECTION when the store opens)
            "ALTER TABLE results ADD COLUMN higher_is_better BOOLEAN",
            # Inferboard's two verdicts (NULL: not checked by Inferboard, only published)
            "ALTER TABLE results ADD COLUMN official_valid BOOLEAN",
            "ALTER TABLE results ADD COLUMN inferboard_valid BOOLEAN",
            "ALTER TABLE results ADD COLUMN rougeLsum DOUBLE",
            # every accuracy metric of the round's format, by name (JSON object)
            "ALTER TABLE results ADD COLUMN accuracy_metrics JSON",
            "ALTER TABLE results ADD COLUMN checker_commit VARCHAR",
            # published (MLCommons), checked (a tree through the validator), accepted (a
            # submission a maintainer accepted); leaderboard.report_rows.Provenance
            "ALTER TABLE results ADD COLUMN provenance VARCHAR NOT NULL DEFAULT 'published'",
            "ALTER TABLE results ADD COLUMN reproduced BOOLEAN",  # NULL: not reproduced
            "ALTER TABLE results ADD COLUMN submission_id BIGINT",
            "ALTER TABLE results ADD COLUMN accepted_by VARCHAR",
            "ALTER TABLE results ADD COLUMN accepted_at TIMESTAMP",
        ),
    ),
)


def schema_versions_statements(table: str) -> tuple[str, str, str]:
    """CREATE, applied-versions SELECT and INSERT of a schema-versions table. Each library
    keeps its own in the one file; ``table`` is a name written in code, never input."""
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")
    create = f"""
CREATE TABLE IF NOT EXISTS {table} (
    version     INTEGER PRIMARY KEY,
    description VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
)
"""
    applied = f"SELECT version FROM {table} ORDER BY version"
    record = f"INSERT INTO {table} (version, description) VALUES ($version, $description)"
    return create, applied, record


CREATE_VERSIONS_TABLE, APPLIED_VERSIONS, RECORD_MIGRATION = schema_versions_statements(
    "schema_migrations"
)

# --------------------------------------------------------------------------- writes
COUNT_RESULTS: Final = "SELECT count(*) FROM results"
# The stored results for these published ids: the published row itself and any accepted
# submission's row for the same result (``submission/<id>/<published id>``), other than
# $submission_id's own (a reviewer sees what an acceptance would repeat).
EXISTING_RESULT_IDS: Final = """
    SELECT result_id, provenance, verification FROM results
    WHERE list_contains($result_ids, regexp_replace(result_id, '^submission/[0-9]+/', ''))
      AND submission_id IS DISTINCT FROM $submission_id
    ORDER BY result_id
"""
IMPORT_EXISTS: Final = "SELECT count(*) FROM imports WHERE import_id = $import_id"
RECORD_IMPORT: Final = """
INSERT INTO imports VALUES ($import_id, $kind, $source, $rows_added, current_timestamp)
ON CONFLICT DO NOTHING
"""
# `incoming_systems` / `incoming_results` are Polars frames registered for one statement.
# A system already stored keeps its description (the same round, division, submitter and
# system id name the same machine; a submission's systems live under their own prefix).
INSERT_SYSTEMS: Final = """
INSERT INTO systems BY NAME SELECT * FROM incoming_systems ON CONFLICT DO NOTHING
"""
# Results are never silently kept or overwritten: ingest.insert_rows first sorts the incoming
# rows against what is stored (STORED_FOR_INCOMING), inserts only new ids, records a check of
# a published row (CONFIRM_RESULTS) and reports every conflict.
STORED_FOR_INCOMING: Final = """
SELECT r.result_id, r.value, r.units, r.provenance
FROM results AS r JOIN incoming_results AS i USING (result_id)
"""
INSERT_RESULTS: Final = "INSERT INTO results BY NAME SELECT * FROM incoming_results"
# A published result a results-tree import checked and found equal: it keeps its published
# number and origin and gains the validator's verdicts and every value the log holds.
CONFIRM_RESULTS: Final = """
UPDATE results AS r SET
    provenance = c.provenance, official_valid = c.official_valid,
    inferboard_valid = c.inferboard_valid, checker_commit = c.checker_commit,
    accuracy_metrics = coalesce(c.accuracy_metrics, r.accuracy_metrics),
    rougeLsum = coalesce(c.rougeLsum, r.rougeLsum),
    rouge1 = coalesce(r.rouge1, c.rouge1), rouge2 = coalesce(r.rouge2, c.rouge2),
    rougeL = coalesce(r.rougeL, c.rougeL),
    tokens_per_sample = coalesce(r.tokens_per_sample, c.tokens_per_sample),
    ttft_p99_ms = coalesce(r.ttft_p99_ms, c.ttft_p99_ms),
    tpot_p99_ms = coalesce(r.tpot_p99_ms, c.tpot_p99_ms),
    verification = r.verification || '; ' || c.verification
FROM confirmed AS c
WHERE r.result_id = c.result_id
"""
# Rows stored before migration 3 (or imported from a format without it) get their direction
# from the rules: $lower_is_better lists the scenarios whose results are latencies.
BACKFILL_DIRECTION: Final = """
UPDATE results SET higher_is_better = NOT list_contains($lower_is_better, scenario)
WHERE higher_is_better IS NULL
"""
REPLACE_ACCELERATORS: Final = (
    "DELETE FROM accelerators",
    "INSERT INTO accelerators BY NAME SELECT * FROM incoming_accelerators",
    "DELETE FROM accelerator_names",
    "INSERT INTO accelerator_names BY NAME SELECT * FROM incoming_names",
)
DISTINCT_ACCELERATOR_NAMES: Final = "SELECT DISTINCT accelerator_model_name FROM systems"

# --------------------------------------------------------------------------- reads
# Expressions shared by the leaderboard and the comparison, so both normalise alike. They are
# fixed text (no user input) spliced into the statements below once, at import.
_TOTAL_ACCELERATORS: Final = """
        CASE
            WHEN coalesce(an.is_cpu_only, false) THEN 0
            WHEN an.listed_total IS NOT NULL THEN an.listed_total
            ELSE s.accelerators_per_node * coalesce(s.number_of_nodes, 1)
        END"""
# Normalised values divide by accelerators, nodes or watts; latencies are never divided, and
# per watt needs power in Watts (not the mJ per query of SingleStream/MultiStream).
_METRIC: Final = """
        CASE $normalisation
            WHEN 'reported' THEN value
            WHEN 'per_accelerator' THEN
                CASE WHEN NOT higher_is_better THEN NULL
                     ELSE value / nullif(total_accelerators, 0) END
            WHEN 'per_node' THEN
                CASE WHEN NOT higher_is_better THEN NULL
                     ELSE value / nullif(coalesce(number_of_nodes, 1), 0) END
            WHEN 'per_watt' THEN
                CASE WHEN power_units = 'Watts' AND higher_is_better
                     THEN value / nullif(power, 0) END
        END"""
_FAMILY: Final = "coalesce(an.family, 'Unknown: ' || s.accelerator_model_name)"
_VENDOR: Final = "coalesce(an.vendor, 'Unknown')"
# One predicate per list filter (leaderboard.filters.LIST_FILTERS), keyed by its parameter; an
# empty list means "no filter". A system submitted as "edge,datacenter" is of both types.
FILTER_PREDICATES: Final = {
    "rounds": "list_contains($rounds, r.round)",
    "divisions": "list_contains($divisions, r.division)",
    "families": f"list_contains($families, {_FAMILY})",
    "availability": "list_contains($availability, s.availability)",
    "system_types": "list_has_any($system_types, string_split(s.system_type, ','))",
    "submitters": "list_contains($submitters, s.submitter)",
    "vendors": f"list_contains($vendors, {_VENDOR})",
    "provenance": "list_contains($provenance, r.provenance)",
}


def _clauses(predicates: dict[str, str]) -> str:
    return "".join(
        f"\n      AND (len(${name}) = 0 OR {predicate})" for name, predicate in predicates.items()
    )


# A result withdrawn or invalidated after publication leaves every view (it stays stored, and
# the change log says when and why).
_PUBLISHED: Final = "r.result_id NOT IN (SELECT result_id FROM retracted_results)"
# One filtered, hardware-normalised view of results; every leaderboard read starts here. The
# WHERE clause holds only the predicates in use ({where}: fixed fragments chosen by
# filtered_query), because DuckDB cannot drop an unused `len($x) = 0 OR ...` at planning time
# and evaluates every one of them per joined row (bench/leaderboard_bench.py: 1M rows).
_FILTERED: Final = f"""
WITH filtered AS (
    SELECT
        r.result_id, r.round, r.division, s.submitter, s.system_uid, s.system_id, s.system_name,
        coalesce(an.model, s.accelerator_model_name) AS accelerator,
        {_VENDOR} AS vendor,
        {_FAMILY} AS family,
        s.accelerator_model_name AS accelerator_as_submitted,
        coalesce(an.is_known, false) AS accelerator_is_known,
        s.accelerators_per_node,
        s.number_of_nodes,
        {_TOTAL_ACCELERATORS} AS total_accelerators,
        s.availability, s.system_type, s.framework,
        r.benchmark, r.benchmark_mlperf, r.scenario, r.value, r.units,
        r.power, r.power_units, r.accuracy, r.rouge1, r.tokens_per_sample,
        r.ttft_p99_ms, r.tpot_p99_ms, r.result_validity, r.inferred, r.verification,
        r.source_repo, r.source_commit, r.source_path, r.weight_data_types,
        r.higher_is_better, r.provenance, r.reproduced, r.official_valid, r.inferboard_valid,
        r.submission_id, r.accepted_at, r.checker_commit
    FROM results AS r
    JOIN systems AS s USING (system_uid)
    LEFT JOIN accelerator_names AS an ON an.raw_name = s.accelerator_model_name
    WHERE r.benchmark_mlperf = $benchmark
      AND list_contains($scenarios, r.scenario){{where}}
),
measured AS (
    SELECT *,
        {_METRIC} AS metric
    FROM filtered
    WHERE total_accelerators IS NULL
       OR (total_accelerators BETWEEN $min_accelerators AND $max_accelerators)
)
SELECT {{columns}} FROM measured
"""
# The columns of `measured`, in order: the allow-list of what a read may select.
MEASURED_COLUMNS: Final = (
    "result_id", "round", "division", "submitter", "system_uid", "system_id", "system_name",
    "accelerator", "vendor", "family", "accelerator_as_submitted", "accelerator_is_known",
    "accelerators_per_node", "number_of_nodes", "total_accelerators", "availability",
    "system_type", "framework", "benchmark", "benchmark_mlperf", "scenario", "value", "units",
    "power", "power_units", "accuracy", "rouge1", "tokens_per_sample", "ttft_p99_ms",
    "tpot_p99_ms", "result_validity", "inferred", "verification", "source_repo",
    "source_commit", "source_path", "weight_data_types", "higher_is_better", "provenance",
    "reproduced", "official_valid", "inferboard_valid", "submission_id", "accepted_at",
    "checker_commit", "metric",
)  # fmt: skip
_SEARCH: Final = """strpos(lower(concat_ws(' ', s.system_name, s.system_id, s.submitter,
              s.accelerator_model_name, s.framework, r.result_id)), lower($search)) > 0"""
ANY_RETRACTED: Final = "SELECT count(*) > 0 FROM result_status_changes"


@cache
def filtered_query(
    active: frozenset[str] = frozenset(),
    retracted: bool = True,
    columns: tuple[str, ...] = MEASURED_COLUMNS,
) -> str:
    """The filtered, measured rows (unsorted): every leaderboard read's input. ``active``
    names the list filters in use (keys of FILTER_PREDICATES) and ``search`` when a search
    text is given; ``retracted``: some results were withdrawn or invalidated (the check is
    left out of the plan while none was); ``columns``: what to select (from
    MEASURED_COLUMNS; fewer columns read faster). Only fixed text from this module is
    assembled."""
    unknown = (active - set(FILTER_PREDICATES) - {"search"}) | (
        set(columns) - set(MEASURED_COLUMNS)
    )
    if unknown:
        raise ValueError(f"no such filter or column: {sorted(unknown)}")
    where = [_PUBLISHED] if retracted else []
    where += [FILTER_PREDICATES[name] for name in FILTER_PREDICATES if name in active]
    if "search" in active:
        where.append(_SEARCH)
    return _FILTERED.format(
        where="".join(f"\n      AND {clause}" for clause in where), columns=", ".join(columns)
    )


# Distinct values of every list filter's column (system types split), for the published
# results of one benchmark and scenario, or of every one when both are NULL (the values a
# URL may name at all).
_DISTINCT_VALUES: Final = f"""
SELECT DISTINCT r.round, r.division, s.availability, r.provenance,
       unnest(string_split(s.system_type, ',')) AS system_type, s.submitter,
       {_VENDOR} AS vendor, {_FAMILY} AS family,
       {_TOTAL_ACCELERATORS} AS total_accelerators
FROM results AS r
JOIN systems AS s USING (system_uid)
LEFT JOIN accelerator_names AS an ON an.raw_name = s.accelerator_model_name
WHERE {_PUBLISHED}
"""
FILTER_OPTIONS: Final = (
    _DISTINCT_VALUES + "  AND r.benchmark_mlperf = $benchmark AND r.scenario = $scenario\n"
)
KNOWN_VALUES: Final = _DISTINCT_VALUES
BENCHMARK_SCENARIOS: Final = f"""
SELECT benchmark_mlperf AS benchmark, scenario, count(*) AS results
FROM results AS r WHERE {_PUBLISHED} GROUP BY ALL ORDER BY benchmark, scenario
"""

SYSTEM: Final = "SELECT * FROM systems WHERE system_uid = $system_uid"
SYSTEM_RESULTS: Final = """
SELECT r.result_id, r.round, r.division, r.benchmark, r.benchmark_mlperf, r.scenario,
       r.value, r.units, r.result_validity, r.inferred, r.accuracy, r.power, r.power_units,
       r.ttft_p99_ms, r.tpot_p99_ms, r.weight_data_types, r.verification, r.data_origin,
       r.source_repo, r.source_commit, r.source_path, r.system_uid, r.higher_is_better,
       r.provenance, r.reproduced, r.official_valid, r.inferboard_valid, r.checker_commit,
       r.submission_id, r.accepted_by, r.accepted_at, r.rougeLsum, r.accuracy_metrics,
       CASE WHEN r.result_id IN (SELECT result_id FROM retracted_results)
            THEN (SELECT arg_max(status, change_id) FROM result_status_changes AS c
                  WHERE c.result_id = r.result_id)
            ELSE 'published' END AS status
FROM results AS r JOIN systems AS s USING (system_uid)
WHERE s.submitter = (SELECT submitter FROM systems WHERE system_uid = $system_uid)
  AND s.system_id = (SELECT system_id FROM systems WHERE system_uid = $system_uid)
ORDER BY r.round, r.benchmark_mlperf, r.scenario, r.result_id
"""
SYSTEM_HARDWARE: Final = """
SELECT an.*, a.memory_gb, a.peak_dense_tflops, a.peak_precision, a.memory_bandwidth_tbs, a.source
FROM systems AS s
LEFT JOIN accelerator_names AS an ON an.raw_name = s.accelerator_model_name
LEFT JOIN accelerators AS a ON a.key = an.accelerator_key
WHERE s.system_uid = $system_uid
"""
_SYSTEM_CLAUSES: Final = _clauses(
    {
        **FILTER_PREDICATES,
        "rounds": "list_contains($rounds, s.round)",
        "divisions": "list_contains($divisions, s.division)",
        "provenance": """EXISTS (SELECT 1 FROM results AS p WHERE p.system_uid = s.system_uid
                         AND list_contains($provenance, p.provenance))""",
    }
)
# Systems with at least one published result: the compare picker, the system finder and the
# API's systems list (same list filters as the leaderboard, minus benchmark and scenario).
SYSTEMS: Final = f"""
WITH listed AS (
    SELECT s.system_uid, s.round, s.division, s.submitter, s.system_id, s.system_name,
           coalesce(an.model, s.accelerator_model_name) AS accelerator,
           {_VENDOR} AS vendor, {_FAMILY} AS family,
           s.accelerators_per_node, s.number_of_nodes,
           {_TOTAL_ACCELERATORS} AS total_accelerators,
           s.availability, s.system_type, s.framework
    FROM systems AS s
    LEFT JOIN accelerator_names AS an ON an.raw_name = s.accelerator_model_name
    WHERE EXISTS (SELECT 1 FROM results AS r WHERE r.system_uid = s.system_uid
                  AND ($benchmark = '' OR r.benchmark_mlperf = $benchmark) AND {_PUBLISHED})
      {_SYSTEM_CLAUSES}
      AND ($search = '' OR strpos(lower(concat_ws(' ', s.system_uid, s.system_name, s.submitter,
              s.accelerator_model_name, an.model, an.family, s.framework)), lower($search)) > 0)
)
SELECT * FROM listed
WHERE total_accelerators IS NULL
   OR total_accelerators BETWEEN $min_accelerators AND $max_accelerators
ORDER BY round DESC, submitter, system_name, system_uid
LIMIT $limit
"""
COMPARE_RESULTS: Final = f"""
WITH picked AS (
    SELECT s.system_uid, s.round, s.division, s.submitter, s.system_name, s.availability,
           coalesce(an.model, s.accelerator_model_name) AS accelerator,
           s.accelerators_per_node, s.number_of_nodes,
           {_TOTAL_ACCELERATORS} AS total_accelerators,
           r.result_id, r.benchmark_mlperf, r.scenario, r.value, r.units, r.power, r.power_units,
           r.higher_is_better, r.provenance, r.reproduced
    FROM results AS r JOIN systems AS s USING (system_uid)
    LEFT JOIN accelerator_names AS an ON an.raw_name = s.accelerator_model_name
    WHERE list_contains($system_uids, s.system_uid)
)
SELECT *, {_METRIC} AS metric
FROM picked
ORDER BY benchmark_mlperf, scenario, system_uid
"""
UNKNOWN_ACCELERATORS: Final = """
SELECT an.raw_name, count(DISTINCT s.system_uid) AS systems
FROM accelerator_names AS an JOIN systems AS s ON s.accelerator_model_name = an.raw_name
WHERE NOT an.is_known GROUP BY ALL ORDER BY systems DESC, an.raw_name
"""
IMPORTS: Final = "SELECT * FROM imports ORDER BY imported_at"
# Changes whenever an import (seed, CLI import, accepted submission) adds results or a result
# is withdrawn, invalidated or reinstated: caches are keyed on it so changes show at once.
DATA_VERSION: Final = """
SELECT (SELECT count(*) FROM imports), (SELECT max(imported_at) FROM imports),
       (SELECT count(*) FROM results), (SELECT count(*) FROM result_status_changes)
"""


# --------------------------------------------------------------------------- dataset
# Every stored result with its system and normalised hardware, published or not (``status``
# says which): the public dataset download.
DATASET: Final = f"""
SELECT r.result_id, r.round, r.division, r.benchmark, r.benchmark_mlperf, r.scenario,
       r.value, r.units, r.higher_is_better, r.result_validity, r.accuracy, r.rouge1,
       r.rouge2, r.rougeL, r.rougeLsum, r.accuracy_metrics, r.tokens_per_sample,
       r.ttft_p99_ms, r.tpot_p99_ms, r.power, r.power_units, r.weight_data_types,
       r.provenance, r.reproduced, r.official_valid, r.inferboard_valid, r.checker_commit,
       r.submission_id, r.accepted_at, r.verification, r.data_origin,
       r.source_repo, r.source_commit, r.source_path,
       s.system_uid, s.submitter, s.system_id, s.system_name, s.availability, s.system_type,
       s.framework, s.number_of_nodes, s.accelerators_per_node,
       {_TOTAL_ACCELERATORS} AS total_accelerators,
       s.accelerator_model_name AS accelerator_as_submitted,
       coalesce(an.model, s.accelerator_model_name) AS accelerator,
       {_VENDOR} AS vendor, {_FAMILY} AS family,
       s.host_processor_model_name, s.operating_system,
       coalesce(st.status, 'published') AS status
FROM results AS r
JOIN systems AS s USING (system_uid)
LEFT JOIN accelerator_names AS an ON an.raw_name = s.accelerator_model_name
LEFT JOIN (SELECT result_id, arg_max(status, change_id) AS status
           FROM result_status_changes GROUP BY result_id) AS st USING (result_id)
ORDER BY r.result_id
"""

# --------------------------------------------------------------------------- change log
# What each import added (kind, when, which rounds and benchmarks). ``source`` is left out on
# purpose: it can be a server path or an uploaded file's name.
IMPORT_CHANGES: Final = """
SELECT i.import_id, i.kind, i.imported_at, count(r.result_id) AS results,
       list(DISTINCT r.round ORDER BY r.round) AS rounds,
       list(DISTINCT r.benchmark_mlperf ORDER BY r.benchmark_mlperf) AS benchmarks,
       list(r.result_id ORDER BY r.result_id) AS result_ids
FROM imports AS i JOIN results AS r ON r.import_id = i.import_id
GROUP BY ALL
"""
# Status changes grouped by the moment and reason they were recorded together;
# ``recorded_by`` stays private.
STATUS_CHANGES: Final = """
SELECT c.status, c.changed_at, c.reason, count(*) AS results,
       list(DISTINCT r.round ORDER BY r.round) AS rounds,
       list(DISTINCT r.benchmark_mlperf ORDER BY r.benchmark_mlperf) AS benchmarks,
       list(c.result_id ORDER BY c.result_id) AS result_ids
FROM result_status_changes AS c JOIN results AS r USING (result_id)
GROUP BY c.status, c.changed_at, c.reason
"""
CURRENT_STATUS: Final = """
SELECT r.result_id,
       coalesce((SELECT arg_max(status, change_id) FROM result_status_changes AS c
                 WHERE c.result_id = r.result_id), 'published') AS status
FROM results AS r WHERE list_contains($result_ids, r.result_id)
"""
NEXT_CHANGE_ID: Final = "SELECT coalesce(max(change_id), 0) + 1 FROM result_status_changes"
RECORD_STATUS_CHANGE: Final = """
INSERT INTO result_status_changes
VALUES ($change_id, $result_id, $status, $reason, $changed_at, $recorded_by)
"""


# --------------------------------------------------------------------------- snapshots
# A published snapshot (issue 16, leaderboard/snapshots.py) is a separate DuckDB file holding
# the tables the leaderboard's migrations create (never the workflow's), copied in one
# transaction with private columns blanked, and one row saying which snapshot it is.
# Identifiers come from DuckDB's own catalogue, quoted by :func:`quoted`; values are bound.
SNAPSHOT_ALIAS: Final = "inferboard_snapshot"
ATTACH_SNAPSHOT: Final = f"ATTACH $path AS {SNAPSHOT_ALIAS}"
USE_SNAPSHOT: Final = f"USE {SNAPSHOT_ALIAS}"
CHECKPOINT_SNAPSHOT: Final = f"CHECKPOINT {SNAPSHOT_ALIAS}"
DETACH_SNAPSHOT: Final = f"DETACH DATABASE IF EXISTS {SNAPSHOT_ALIAS}"
CURRENT_CATALOG: Final = "SELECT current_database()"
SNAPSHOT_TABLES: Final = f"""
SELECT table_name FROM duckdb_tables()
WHERE database_name = '{SNAPSHOT_ALIAS}' AND schema_name = 'main'
  AND table_name <> 'schema_migrations'
ORDER BY table_name
"""
SNAPSHOT_COLUMNS: Final = f"""
SELECT column_name FROM duckdb_columns()
WHERE database_name = '{SNAPSHOT_ALIAS}' AND schema_name = 'main' AND table_name = $table
ORDER BY column_index
"""
# (table, column) -> what the snapshot holds instead: who recorded a status change and where
# an import came from (a server path, an uploaded file's name) are not public.
SNAPSHOT_PRIVATE: Final = {
    ("imports", "source"): "''",
    ("result_status_changes", "recorded_by"): "''",
}
CREATE_SNAPSHOT_INFO: Final = f"""
CREATE TABLE {SNAPSHOT_ALIAS}.main.snapshot_info (
    version      INTEGER NOT NULL,    -- 1, 2, 3, ... in the order published
    published_at TIMESTAMP NOT NULL,  -- UTC
    data_version VARCHAR NOT NULL,    -- leaderboard.queries.data_version at publication
    fingerprint  VARCHAR NOT NULL     -- what decides that a new snapshot is due
)
"""
RECORD_SNAPSHOT_INFO: Final = f"""
INSERT INTO {SNAPSHOT_ALIAS}.main.snapshot_info
VALUES ($version, $published_at, $data_version, $fingerprint)
"""
SNAPSHOT_INFO: Final = "SELECT version, published_at, data_version, fingerprint FROM snapshot_info"
# Besides the data version: the schema and the hardware catalogue (a catalogue fix renames
# families without adding a result), both small tables.
SNAPSHOT_FINGERPRINT: Final = """
SELECT (SELECT max(version) FROM schema_migrations),
       (SELECT count(*) || ':' || coalesce(sum(hash(a)), 0) FROM accelerators AS a),
       (SELECT count(*) || ':' || coalesce(sum(hash(n)), 0) FROM accelerator_names AS n)
"""


def quoted(identifier: str) -> str:
    """A catalogue name as a SQL identifier (the names come from DuckDB, never from input)."""
    return '"' + identifier.replace('"', '""') + '"'


def snapshot_copy(table: str, columns: list[str], live_catalog: str) -> str:
    """``INSERT`` of one table's rows from the live file into the snapshot being written."""
    select = ", ".join(
        f"{SNAPSHOT_PRIVATE[(table, c)]} AS {quoted(c)}" if (table, c) in SNAPSHOT_PRIVATE
        else quoted(c)
        for c in columns
    )  # fmt: skip
    return (
        f"INSERT INTO {SNAPSHOT_ALIAS}.main.{quoted(table)} BY NAME "
        f"SELECT {select} FROM {quoted(live_catalog)}.main.{quoted(table)}"
    )
