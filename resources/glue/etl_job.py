"""The lake's ETL on AWS Glue 5.0 (PySpark, Spark 3.5): raw files and streamed events become curated Parquet.

It runs the shared ETL plans (lib/etl/plan.ts, generated into plans.json at package time by lib/etl/plans.ts) exactly
as plan.ts describes; the local DuckDB runner (lib/etl/duckdb-runner/) runs the same plans with the same layout:

  1. read the input into the view raw_input: one STRING column per plan.input.columns entry (nested objects and
     arrays as JSON text, absent -> NULL) plus lake_source_file (the raw key) and lake_ingested_at (run start);
  2. typed := plan.typedSql; rejected rows := plan.rejectedSql; incoming := typed rows without reject_reason;
  3. existing := the table's rows in the partitions incoming touches and in those that hold one of its keys under
     another partition value (partitions_holding_keys); merged := plan.mergeSql;
  4. rejected records (plan.rejectedSql.spark, over typed, lake_malformed — the records that did not even parse,
     which count as read and rejected — and lake_run; for event tables also plan.conflicts: incoming copies of an
     event id whose data differs from the row merged keeps, lib/etl/event-conflicts.ts) go to
     rejected/table_name=<table>/run_date=<yyyy-MM-dd>/<run_id>-<n>.json as JSON lines (lib/etl/rejected.ts):
     written to _state/tmp/<run_id>/ by Spark, then copied;
     merged replaces those partitions (dynamic partition overwrite, one Parquet file per partition; one the merge
     left without rows is emptied);
  5. the run summary (EtlRunSummary, lib/etl/run.ts) goes to _state/runs/<run_id>.json in the curated bucket.

Every run, whatever its mode, does two things (the lake runs one at a time, MaxConcurrentRuns 1, so what waits is
taken by the next run; lib/etl/upload-queue.ts):
  - takes the queue of accepted uploads: every _state/uploads/pending/<execution>.json, grouped by table, run through
    the table's plan; each upload's result (figures, or the reason it failed) goes to _state/uploads/done/
    <execution>.json before its pending record is deleted;
  - compacts streamed events: for every event table, the raw objects under events/type=<type>/ that the compaction
    manifests (_state/compaction/<table>/arrival_date=<yyyy-MM-dd>.json, {"processed": [keys], "versions": {key:
    size}}) do not list at their size are run through the table's plan, and their keys and sizes are added to the
    manifests as the last step of the batch's swap (the upload results too: record_outcome), so that a batch swapped
    in is never taken again, and an object put again under a key already compacted, with other records, is.

Modes 'replay' and 'rebuild' (--table required) do their table's work between the uploads and the events, as the local
runner does (lib/etl/duckdb-runner/replay.ts, rebuild.ts): a replay reads again the raw objects that rejected rows of
the table came from (rejected files no earlier replay took; recorded in _state/replayed/<table>.json after the data),
a rebuild every raw object of the table and then rewrites the partitions none touched; both merge by
plan.reloadMergeSql, in batches of at most BATCH_BYTES.

Arguments (lib/etl/run.ts): --etl_mode file|events|replay|rebuild, --table (file: the triggering upload's table; events:
optional, one event table; replay, rebuild: the table), --inputs (file: JSON list of raw keys, taken when no pending
record names this run), --execution_input (file: the execution's input as JSON, whose etag and versionId are the
version such a run loads), --run_id,
--raw_bucket, --curated_bucket, --plans_bucket and --plans_key (where plans.json is), --database (optional: the
Glue database whose tables must match the plans); --JOB_RUN_ID is Glue's own.

The module imports pyspark and boto3 only inside the functions that need them, so its pure helpers can be tested
with a plain Python 3 (tests/unit/glue-etl-job.test.ts).
"""

import json
import re
import sys
import uuid
import zlib
from datetime import datetime, timezone

ENGINE = "glue"
# The most fields a CSV record may have for Spark's reader (univocity's maxColumns, 20,480 by default): past it the
# multi-line reader fails the whole file (TextParsingException, outside its malformed-record handling), where the
# local runner rejects the record (TOO MANY COLUMNS). As many as a line the local runner reads (2 MiB,
# lib/etl/duckdb-runner/readers/csv.ts MAX_CSV_LINE_BYTES) can hold — one byte and its comma each — so that such a
# record is a malformed record here too (its number of fields is not the header's). Univocity keeps one array of
# that many references per file read (~4 MiB).
CSV_MAX_COLUMNS = 2 * 1024 * 1024 // 2 + 1
MODES = ("file", "events", "replay", "rebuild")
# The job parses JSON in Python too (a .json upload's layout, lone surrogates): json.loads and the walk of what it
# gives recurse once per level, and Python's default limit (1,000 frames) stops them short of the 1,000 levels the
# upload check lets through, as Spark's reader (Jackson) takes them: a record nested ~985 deep failed the whole file
# with RecursionError where the local runner loads it.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
# Raw bytes read per batch by a compaction, a replay or a rebuild (a G.1X worker has 16 GiB; the local runner uses
# 64 MiB): a backlog is compacted batch after batch, each recorded in the manifests once its rows are in the table.
BATCH_BYTES = 2 * 1024 ** 3
FORMATS = ("csv", "json", "jsonl", "parquet")
# The plans file this job runs (lib/etl/plans.ts PLANS_FILE_VERSION): 3 has the event tables' conflicts, 4 the
# layout's restoredUploadsPrefix.
PLANS_FILE_VERSION = 4
REQUIRED_ARGS = ("etl_mode", "run_id", "raw_bucket", "curated_bucket", "plans_bucket", "plans_key")
# Keys that Spark's input_file_name() reports unchanged (it URL-encodes others): read together, named from the path.
SAFE_KEY = re.compile(r"^[A-Za-z0-9=/_.:-]+$")
RUN_ID = re.compile(r"[^/\\:\s\x00-\x1f*?{}\[\]]{1,128}")
# The column that holds the text of a record Spark cannot parse; in rejected rows it is raw_record (as locally).
RAW_RECORD = "lake_raw_record"
# A column of the input itself that each frame of raw_input reads (a CSV's first header column), dropped once read:
# Spark refuses a scan of a raw CSV or JSON file whose referenced columns are only the corrupt-record one ("Since
# Spark 2.3, the queries from raw JSON/CSV files are disallowed when the referenced columns only include the internal
# corrupt record column"), which a CSV whose header names no column of the table's was.
SCAN_COLUMN = "lake_scan_column"
MALFORMED_REASON = "malformed record: not valid JSON or CSV, or not of the expected shape"
# A row of a CSV upload whose bytes are not UTF-8: Spark's CSV reader decodes such bytes as U+FFFD, the replacement
# character (Java's decoder, REPLACE), and would load the row with it in their place; the local runner rejects the
# line (DuckDB's INVALID ENCODING). A U+FFFD in a file that is all UTF-8 is the character itself, loaded on both
# runtimes. (Spark's JSON readers parse bytes with Jackson, which fails such a record: a malformed record already.)
INVALID_ENCODING_REASON = (
    "INVALID ENCODING: the file is not UTF-8 (first at byte %d of its text), and this row holds what Spark read "
    "there as U+FFFD, the replacement character; save the file as UTF-8 and upload it again"
)
# A row of a JSON upload that held a lone UTF-16 surrogate escape (without_lone_surrogates).
LONE_SURROGATE_REASON = (
    "INVALID TEXT: the file holds a lone UTF-16 surrogate escape (such as \\ud800 without its pair; first on line %d), "
    "not Unicode text, and this row holds such a value (Spark reads the surrogate as '?'): fix the file and upload it "
    "again"
)
# The same where the file also holds U+FFFD written as such: its rows cannot be told from those of bad bytes.
INVALID_ENCODING_MIXED = (
    " (the file also holds U+FFFD written as such, which the Glue job cannot tell from a bad byte: such a row is "
    "rejected too on AWS, where the local lake loads it)"
)
# How many bytes of a .json upload are inspected to tell JSON lines from one JSON document.
JSON_SNIFF_BYTES = 65536
# The most of a .json file read to find its first line whole: the largest JSON object either engine reads
# (lib/etl/duckdb-runner/readers/json.ts MAX_JSON_OBJECT_BYTES).
JSON_FIRST_LINE_MAX_BYTES = 16 * 1024 * 1024


class JobError(Exception):
    """A problem with the job's arguments or inputs (the run fails with this message)."""


class CatalogMismatch(JobError):
    """
    The catalog and this run's plans differ: a deploy updated the catalog while the run, begun on the plans before
    it, was going. The run fails as a whole, not the uploads it holds: they stay queued for the next run.
    """


class SwapFailed(JobError):
    """
    A batch's swap failed after its journal was written: the next run finishes or undoes it (recover_swaps). The run
    fails as a whole, not the batch's uploads, which stay queued: their rows may be in the tables by then.
    """


class UploadNotThere(Exception):
    """An upload's accepted version was replaced (or deleted) while its batch read it: that upload fails alone."""

    def __init__(self, execution, reason):
        super().__init__(reason)
        self.execution = execution
        self.reason = reason


class UploadUnreadable(Exception):
    """An upload's file cannot be read as rows (a CSV quote never closed): it fails alone, a reload skips it."""

    def __init__(self, key, reason):
        super().__init__(reason)
        self.key = key
        self.reason = reason


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers (no Spark, no AWS)
# ---------------------------------------------------------------------------------------------------------------


def parse_args(argv):
    """Glue passes job arguments as `--name value` (or `--name=value`); returns {name: value}."""
    args = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if not token.startswith("--"):
            i += 1
            continue
        name = token[2:]
        if "=" in name:
            name, value = name.split("=", 1)
            i += 1
        elif i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            value = argv[i + 1]
            i += 2
        else:
            value = ""
            i += 1
        args[name] = value
    return args


def job_options(args):
    """Validates the arguments of a run; returns the options the job uses."""
    missing = [name for name in REQUIRED_ARGS if not args.get(name)]
    if missing:
        raise JobError("missing job arguments: " + ", ".join("--" + m for m in missing))
    mode = args["etl_mode"]
    if mode not in MODES:
        raise JobError("--etl_mode must be one of %s, got %r" % (", ".join(MODES), mode))
    options = {
        "mode": mode,
        "run_id": args["run_id"],
        "raw_bucket": args["raw_bucket"],
        "curated_bucket": args["curated_bucket"],
        "plans_bucket": args["plans_bucket"],
        "plans_key": args["plans_key"],
        "database": args.get("database") or None,
        "table": None,
        "inputs": [],
        # Glue passes every run its id; the run records it in its results and summary.
        "job_run_id": args.get("JOB_RUN_ID") or None,
        # The run's batches so far (they number its rejected files), and the rejected files it wrote.
        "batches": 0,
        "rejected_written": [],
    }
    # This attempt's work folder, _state/tmp/<run_id>/<attempt>/: the state machine runs the job again under the same
    # run id, whose batches count from 0 again, and what an attempt that died before its swap journal left must never
    # be taken for the next one's (swap_in copies every part file of a batch's folder). Left folders expire (2 days).
    options["work"] = "%s/%s/" % (options["run_id"], options["job_run_id"] or uuid.uuid4().hex)
    # The run id names objects (rejected/.../<id>-<n>.json, _state/runs/<id>.json): one path segment that Hadoop
    # paths take as is. Step Functions execution names (the state machine passes $$.Execution.Name) always qualify.
    if not RUN_ID.fullmatch(options["run_id"]) or options["run_id"] in (".", ".."):
        raise JobError("--run_id must be 1-128 characters without /, \\, :, whitespace or glob characters, got %r"
                       % options["run_id"])
    if mode == "events":
        # Optional: compact that event table only.
        options["table"] = args.get("table") or None
    if mode in ("replay", "rebuild"):
        if not args.get("table"):
            raise JobError("--table is required in mode %r" % mode)
        options["table"] = args["table"]
    if mode == "file":
        if not args.get("table"):
            raise JobError("--table is required in mode 'file'")
        try:
            inputs = json.loads(args.get("inputs") or "")
        except ValueError:
            raise JobError("--inputs must be a JSON array of raw-bucket keys")
        if not isinstance(inputs, list) or not inputs or not all(isinstance(k, str) and k for k in inputs):
            raise JobError("--inputs must be a non-empty JSON array of raw-bucket keys")
        options["table"] = args["table"]
        options["inputs"] = inputs
        options["accepted"] = accepted_version(args.get("execution_input"), inputs[0])
    return options


def accepted_version(text, key):
    """
    The version of a file run's input the upload check accepted, from --execution_input (the execution's input as the
    state machine passes it: {key, etag, versionId, ...}), when it names `key`: {etag, versionId} (the etag without
    S3's quotes), or {} (lib/etl/duckdb-runner/args.ts acceptedVersion). A run that takes its own input (a retry of a
    failed execution, one started by hand) loads that version only, never another written under the name since.
    """
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise JobError("--execution_input must be the execution input, a JSON object")
    if not isinstance(value, dict):
        raise JobError("--execution_input must be the execution input, a JSON object")
    if "key" in value and value["key"] != key:
        return {}
    out = {}
    etag = value.get("etag")
    if isinstance(etag, str) and etag:
        out["etag"] = etag[1:-1] if len(etag) >= 2 and etag[0] == '"' and etag[-1] == '"' else etag
    version_id = value.get("versionId")
    if isinstance(version_id, str) and version_id:
        out["versionId"] = version_id
    return out


def input_format(key):
    """(format, gzipped) of a raw object from its name: <name>.(csv|json|jsonl|parquet)[.gz]."""
    name = key.rsplit("/", 1)[-1].lower()
    gz = name.endswith(".gz")
    if gz and not key.endswith(".gz"):
        # Hadoop's codec factory (Spark's reader) knows only '.gz' as written: it would read the bytes as text.
        raise JobError("%r: the gzip extension must be '.gz', lower-case (Spark decompresses only that name)" % key)
    if gz:
        name = name[: -len(".gz")]
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext not in FORMATS:
        raise JobError("cannot tell the format of %r (expected .csv, .json, .jsonl or .parquet, optionally .gz)" % key)
    if ext == "parquet" and gz:
        raise JobError("%r: gzip-compressed Parquet is not supported (Parquet compresses its pages itself)" % key)
    return ext, gz


def raw_events_format(layout):
    """
    (format, gzipped) of every raw event object, as the plans file declares it (lib/layout.ts rawEventsFormat). Firehose
    names its objects <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>.gz: the name tells the compression, not the
    format, so events are never routed by input_format(). Spark picks the gzip codec from the .gz suffix, which the
    declaration guarantees (the extension is the one Firehose gives the compression).
    """
    declared = layout.get("rawEvents") or {}
    fmt, gz, ext = declared.get("format"), declared.get("gzip"), declared.get("extension")
    if fmt != "jsonl" or not isinstance(gz, bool) or not isinstance(ext, str):
        raise JobError("the plans file declares no readable raw events format (layout.rawEvents: %r)" % (declared,))
    if gz and ext != ".gz":
        raise JobError("gzip raw events must end with .gz for Spark to decompress them, the layout says %r" % ext)
    return fmt, gz


def json_head_text(head, gz):
    """A .json file's first bytes as text, from its first character that is not white space (or a byte order mark)."""
    data = head
    if gz:
        # Members one after another are one stream, as gzip readers (Spark's, the local runner's) take them: a first
        # member without a whole line (an empty one, a block cut mid-line as bgzip writes them) is not the file.
        # Bytes after a member that start no other (zero padding) are gzip_problem's to name.
        if data and data[:2] != b"\x1f\x8b":
            raise JobError("not a valid gzip stream: it does not start with gzip's magic bytes")
        try:
            data = b"".join(gunzip_members([data]))
        except zlib.error as e:
            raise JobError("not a valid gzip stream: %s" % e)
    return data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")


# The most text one step of gunzip_members inflates: a small, highly compressible upload (zlib reaches ~1000:1) would
# otherwise inflate to gigabytes at once in the driver.
GUNZIP_PIECE = 8 * 1024 * 1024


def gunzip_members(chunks):
    """
    The text of gzip members one after another (as gzip readers take them), from the bytes in chunks, in pieces of at
    most GUNZIP_PIECE; what follows the last member without starting another is left (gzip_problem names it).
    """
    inflate = None
    pending = b""
    for chunk in chunks:
        data = pending + chunk
        pending = b""
        while data:
            if inflate is None:
                if len(data) < 2:
                    pending = data
                    break
                if data[:2] != b"\x1f\x8b":
                    return
                inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            yield inflate.decompress(data, GUNZIP_PIECE)
            if inflate.eof:
                data = inflate.unused_data
                inflate = None
            else:
                data = inflate.unconsumed_tail


# U+FFFD, the replacement character, as UTF-8 bytes.
REPLACEMENT_BYTES = b"\xef\xbf\xbd"


def utf8_scan(chunks, gz):
    """
    What the bytes of an upload (its chunks, one after another; its text through gunzip_members when gz) hold:
    (offset, written) — the offset in its text of the first byte that is not UTF-8 (None when all of it is), and
    whether it also holds U+FFFD written as such (its three bytes).
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    first = None
    written = False
    tail = b""
    for data in gunzip_members(chunks) if gz else chunks:
        window = tail + data
        written = written or REPLACEMENT_BYTES in window
        tail = window[-2:]
        if first is None:
            held = len(decoder.getstate()[0])
            try:
                decoder.decode(data)
            except UnicodeDecodeError as e:
                # e.start counts from the bytes the decoder held back from the data before.
                first = offset - held + e.start
        offset += len(data)
        if first is not None and written:
            break
    if first is None:
        held = len(decoder.getstate()[0])
        try:
            decoder.decode(b"", True)
        except UnicodeDecodeError as e:
            first = offset - held + e.start
    return first, written


# A JSON escape: a backslash and what it takes (\uXXXX, or one character), so that an escaped backslash is not read
# as the start of another escape.
JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
# Lone surrogates in text json.loads gave (it keeps them), as Spark writes them: '?' (Java's UTF-8 encoder).
SURROGATE = re.compile("[\ud800-\udfff]")
# Values listed per file at most (more: every row of the file holding '?' in a column is taken as one of them).
LONE_SURROGATE_VALUES_MAX = 100000
# The largest JSON document whose values are read in the driver (lib/etl/duckdb-runner/readers/json-fallback.ts reads
# one up to the same size).
LONE_SURROGATE_DOCUMENT_MAX_BYTES = 256 * 1024 * 1024


def has_lone_surrogate_escape(line):
    """Whether a line of JSON text holds a \\uD800-\\uDBFF escape not followed by a \\uDC00-\\uDFFF one, or the latter alone."""
    high_end = None
    for m in JSON_ESCAPE.finditer(line):
        g = m.group(1)
        unit = int(g[1:], 16) if len(g) == 5 else None
        if unit is not None and 0xDC00 <= unit <= 0xDFFF:
            if high_end != m.start():
                return True
            high_end = None
            continue
        if high_end is not None:
            return True
        if unit is not None and 0xD800 <= unit <= 0xDBFF:
            high_end = m.end()
    return high_end is not None


def lone_surrogate_strings(value, out, path=()):
    """
    The strings of a parsed JSON row that hold a lone surrogate, as (path of keys, text as Spark reads it: '?' for
    each). Only strings reached through objects, as a column reads them (a string inside an array or object column
    is JSON text, which Spark's generator writes with the escape again); a top-level array is rows, as Spark reads it.
    """
    if isinstance(value, str):
        if path and SURROGATE.search(value):
            out.add((path, SURROGATE.sub("?", value)))
    elif isinstance(value, dict):
        for k, v in value.items():
            lone_surrogate_strings(v, out, path + (k,))
    elif isinstance(value, list) and not path:
        for v in value:
            lone_surrogate_strings(v, out, path)


def lone_surrogate_scan(chunks, gz, lines=True):
    """
    What a JSON upload's text (its chunks; through gunzip_members when gz) holds of lone UTF-16 surrogate escapes
    ("\\ud800" without its pair: not Unicode text, which the local runner rejects, lib/etl/duckdb-runner/readers/
    json-fallback.ts, and Spark's JSON reader turns into '?', altering the value): (line, values) — the line (from
    1) of the first one, or None; and, of JSON lines (`lines`), the (path, text) of each string value holding one
    (lone_surrogate_strings; a line that does not parse is a malformed record to Spark, kept whole), at most
    LONE_SURROGATE_VALUES_MAX, else None. A JSON document's values are read from its whole text
    (lone_surrogate_document_values).
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    first, values = None, set()
    number, rest = 0, ""

    def line_of(text):
        nonlocal first, values
        if not has_lone_surrogate_escape(text):
            return
        first = first or number
        if not lines or values is None:
            return
        try:
            lone_surrogate_strings(json.loads(text), values)
        except ValueError:
            return
        if len(values) > LONE_SURROGATE_VALUES_MAX:
            values = None

    for data in gunzip_members(chunks) if gz else chunks:
        pieces = (rest + decoder.decode(data)).split("\n")
        rest = pieces.pop()
        for text in pieces:
            number += 1
            line_of(text)
    number += 1
    line_of(rest + decoder.decode(b"", True))
    return first, (sorted([list(p), v] for p, v in values) if values is not None else None)


def lone_surrogate_document_values(text):
    """A JSON document's (path, text) values holding a lone surrogate, as lone_surrogate_scan gives those of lines."""
    values = set()
    try:
        lone_surrogate_strings(json.loads(text), values)
    except ValueError:
        return []  # no JSON document: Spark fails it whole (a malformed record)
    if len(values) > LONE_SURROGATE_VALUES_MAX:
        return None
    return sorted([list(p), v] for p, v in values)


def mixed_line_ends(chunks, gz):
    """
    Why a CSV upload's text (its chunks; through gunzip_members when gz) cannot be read for its mixed line ends (LF,
    CRLF, CR outside quoted fields), in the local runner's words (lib/etl/duckdb-runner/readers/csv-line-ends.ts,
    lib/uploads/csv.ts LineEnds), or None when they are alike.
    """
    quoted, line, pending_cr, cr_outside, first = False, 1, False, False, None

    def ended(kind, outside):
        nonlocal line, first
        line += 1
        if not outside:
            return None
        if first is None:
            first = (kind, line - 1)
        elif first[0] != kind:
            return (
                "line %d ends in %s where line %d ends in %s: the lines of a CSV file must all end alike (the lake "
                "reads one kind of line end per file); write the file again with one kind" % (line - 1, kind, first[1], first[0])
            )
        return None

    for data in gunzip_members(chunks) if gz else chunks:
        for b in data:
            if pending_cr:
                pending_cr = False
                if b == 0x0A:
                    why = ended("CRLF", cr_outside)
                    if why:
                        return why
                    continue
                why = ended("CR", cr_outside)
                if why:
                    return why
            if b == 0x22:
                quoted = not quoted
            elif b == 0x0D:
                pending_cr, cr_outside = True, not quoted
            elif b == 0x0A:
                why = ended("LF", not quoted)
                if why:
                    return why
    return ended("CR", cr_outside) if pending_cr else None


UNCLOSED_QUOTE_REASON = (
    "line %d: a quoted field opened there (byte %d) is never closed, so everything after it reads as one value and "
    "the rows that follow cannot be read; close the quote and upload the file again"
)


def unclosed_quote(chunks, gz):
    """
    Why a CSV upload's text (its chunks; through gunzip_members when gz) cannot be read as rows: a quoted field opened
    at the start of a field and never closed, with a line end after it (the rows after it would read as its value;
    Spark's multi-line reader takes the rest of the file so), in the local runner's words
    (lib/etl/duckdb-runner/readers/typed-input.ts: DuckDB's unterminated quote over a line end); or None. As both
    readers do: a quote opens a field only at its start ("" inside is a quote), one inside an unquoted value is text.
    The line is the file's line where the field's record starts; the byte, the quote's offset in the file.
    """
    import re

    special = re.compile(rb'[",\r\n]')
    line, offset, first = 1, 0, True
    # field_at: where the current field starts; closed_at: a quote that may close its field (or be half of "");
    # cr_at: a CR whose LF would be the same line end.
    field_at, closed_at, cr_at = 0, -2, -2
    quoted, broke, record_line, open_at = False, False, 1, 0
    for data in gunzip_members(chunks) if gz else chunks:
        if first and data:
            first = False
            if data.startswith(b"\xef\xbb\xbf"):
                field_at = 3
        for m in special.finditer(data):
            at = offset + m.start()
            b = m.group()
            if b == b"\n" and at == cr_at + 1:
                # The LF of a CR LF pair: the line end was counted at its CR.
                if not quoted:
                    field_at = at + 1
                continue
            if b == b'"' and at == closed_at + 1:
                # "" inside a quoted field: a quote, the field goes on.
                quoted, closed_at = True, -2
                continue
            if quoted:
                if b == b'"':
                    quoted, closed_at = False, at
                elif b != b",":
                    # A line end inside the open quote (a comma there is text).
                    broke = True
                    line += 1
                    cr_at = at if b == b"\r" else -2
                continue
            if b == b'"':
                # A quote opens a field only as its first byte; elsewhere it is text.
                if at == field_at:
                    quoted, broke, open_at = True, False, at
            elif b == b",":
                field_at = at + 1
            else:
                line += 1
                cr_at = at if b == b"\r" else -2
                field_at, record_line = at + 1, line
        offset += len(data)
    # Byte numbers count from 1, as DuckDB's byte_position in the local runner's words.
    return UNCLOSED_QUOTE_REASON % (record_line, open_at + 1) if quoted and broke else None


def utf8_error_offset(chunks, gz):
    """utf8_scan's offset alone: where an upload stops being UTF-8, or None."""
    return utf8_scan(chunks, gz)[0]


def json_layout(head, gz):
    """'lines' (one JSON object per line) or 'document' (one JSON array or object) from a .json file's first bytes."""
    return json_text_layout(json_head_text(head, gz))


def json_text_layout(text):
    """json_layout of a .json file's first bytes as text (json_head_text)."""
    if text.startswith("["):
        return "document"
    first_line = text.split("\n", 1)[0].strip()
    try:
        return "lines" if isinstance(json.loads(first_line), dict) else "document"
    except ValueError:
        return "document"


def json_layout_of(read, gz):
    """
    json_layout of a .json file whose first `size` bytes read(size) gives (fewer at its end), read until they hold
    its first line whole (a line end after its first character, or a document's opening bracket): JSON_SNIFF_BYTES,
    then sixteen times more, up to JSON_FIRST_LINE_MAX_BYTES. A first line longer than the first read (an object of
    70 KB) was cut short, did not parse, and sent a file of JSON lines to Spark's multi-line reader, which takes only
    its first object.
    """
    size = JSON_SNIFF_BYTES
    while True:
        head = read(size)
        text = json_head_text(head, gz)
        if len(head) < size or size > JSON_FIRST_LINE_MAX_BYTES or text.startswith("[") or "\n" in text:
            return json_text_layout(text)
        size = min(size * 16, JSON_FIRST_LINE_MAX_BYTES + 1)


def schema_tree(paths):
    """Nested {field: subtree or None (a leaf)} from input column paths, e.g. [['id'], ['data', 'x']]."""
    tree = {}
    for path in paths:
        if not path:
            raise JobError("an input column has an empty path")
        node = tree
        for depth, field in enumerate(path):
            leaf = depth == len(path) - 1
            if leaf:
                if field in node:
                    raise JobError("input path %s conflicts with another column's path" % ".".join(path))
                node[field] = None
            else:
                child = node.setdefault(field, {})
                if child is None:
                    raise JobError("input path %s conflicts with another column's path" % ".".join(path))
                node = child
    return tree


def iso_utc(moment):
    """ISO-8601 UTC with milliseconds and a Z, as the TypeScript side writes instants."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def arrival_date(key, pattern):
    match = re.search(pattern, key)
    return match.group(1) if match else None


def manifest_key(layout, table, date):
    return "%s%s/arrival_date=%s.json" % (layout["compactionPrefix"], table, date)


def read_manifest(s3, bucket, key):
    """
    A compaction manifest, {"processed": [raw keys], "versions": {raw key: size read}} (none yet: nothing processed;
    a manifest of before versions were recorded: keys only); one of another shape is named as damaged rather than read
    as empty (which re-read the day) or failing on its first use (README "Damaged state files";
    lib/etl/duckdb-runner/batch-outcome.ts readManifest does the same).
    """
    m = get_json(s3, bucket, key, {"processed": []})
    processed = m.get("processed") if isinstance(m, dict) else None
    versions = m.get("versions", {}) if isinstance(m, dict) else None
    if not (
        isinstance(processed, list)
        and all(isinstance(k, str) for k in processed)
        and isinstance(versions, dict)
        and all(isinstance(v, str) for v in versions.values())
    ):
        raise JobError(
            's3://%s/%s is damaged (not a compaction manifest, {"processed": [keys], "versions": {key: size}}); '
            'README "Damaged state files" says what to do with it' % (bucket, key)
        )
    return {"processed": processed, "versions": versions}


def object_versions(objects):
    """
    The version of each [key, size] raw event object the compaction manifests record: its size, which a copy or a
    restore of the bucket keeps (an ETag under SSE-KMS does not: every copy would be compacted again, its rejected rows
    recorded twice), and an object put again with other records all but always changes (lib/etl/duckdb-runner/events.ts).
    """
    return {o[0]: str(o[1]) for o in objects}


def compacted_keys(manifest, versions):
    """
    The keys a compaction manifest lists at the version they are now (versions: object_versions): one listed at
    another size was put again under its key after it was compacted (an operator's second recovery under a name used
    before) and is compacted again, its events deduplicated by id; one listed without a version (a manifest of before)
    counts as compacted whatever its size (lib/etl/duckdb-runner/batch-outcome.ts listsVersion).
    """
    recorded = manifest.get("versions", {})

    def size_of(version):
        # A size; one recorded as size:modification time is read by its size; anything else (an ETag, recorded for a
        # few commits) as no version: the object counts as compacted, as one a manifest of before lists.
        head = version.split(":")[0] if isinstance(version, str) else ""
        return head if head.isdigit() else None

    def compacted(k):
        size = size_of(recorded.get(k))
        return size is None or size == versions.get(k)

    return {k for k in manifest.get("processed", []) if compacted(k)}


def rejected_table_prefix(layout, table):
    return "%stable_name=%s/" % (layout["rejectedPrefix"], table)


def rejected_prefix(layout, table, run_date):
    """Where a run's rejected rows of a table go (lib/etl/rejected.ts rejectedRowsPrefix)."""
    return "%srun_date=%s/" % (rejected_table_prefix(layout, table), run_date)


def rejected_object_key(layout, table, run_date, run_id, n):
    return "%s%s-%d.json" % (rejected_prefix(layout, table, run_date), run_id, n)


def replayed_key(layout, table):
    return "%s%s.json" % (layout["replayedPrefix"], table)


def replaying_key(layout, table):
    """A replay in progress (lib/etl/rejected.ts ReplayingState): {runId, taken, done}."""
    return "%s%s.json" % (layout["replayingPrefix"], table)


def rebuilding_key(layout, table):
    """A rebuild in progress (lib/etl/rejected.ts ReloadProgress): {runId, done}."""
    return "%s%s.json" % (layout["rebuildingPrefix"], table)


def progress_record(s3, bucket, key):
    """
    A progress record, or None when there is none or it does not read (lib/etl/duckdb-runner/fs-util.ts
    readProgress): it only spares a run again the objects done, so a damaged one is told and taken for none.
    """
    try:
        return get_json(s3, bucket, key, None)
    except JobError as e:
        print(json.dumps({"warning": "a progress record of a replay or rebuild does not read: taken for none", "file": key, "error": str(e)}))
        return None


def resumed_note(table, run_id, done, candidates):
    """lib/etl/duckdb-runner/reload-progress.ts resumedNote: what the attempt that died had loaded."""
    loaded = len([k for k in candidates if k in done])
    if loaded:
        print(json.dumps({"warning": "run again after its first attempt ended unfinished (stopped, timed out, or its process died): the raw objects that attempt loaded are not read again", "table": table, "runId": run_id, "objectsLoadedBefore": loaded, "note": "this run's figures count what it reads now"}))


def open_progress(s3, bucket, key, run_id, fresh, valid=lambda state: True):
    """
    The progress of a run that reads raw objects again (lib/etl/duckdb-runner/reload-progress.ts): (state, done set,
    outcome_of(keys)). Resumed when it is this run id's (an attempt that died), else the fresh one, written now.
    """
    found = progress_record(s3, bucket, key)
    resumed = isinstance(found, dict) and found.get("runId") == run_id and isinstance(found.get("done"), list) and valid(found)
    state = found if resumed else fresh()
    if not resumed:
        put_json(s3, bucket, key, state)

    def outcome_of(keys):
        return {"progress": {"key": key, "runId": run_id, "done": sorted(keys)}}

    return state, set(state["done"]), outcome_of


def next_batch(options):
    """The run's next batch number (names its rejected file, as the local runner numbers its batches)."""
    n = options["batches"]
    options["batches"] = n + 1
    return n


def run_row(options, started_at):
    """The one row of the view lake_run the plans' rejectedSql reads: the run and its start (ISO-8601 UTC)."""
    return {"run_id": options["run_id"], "rejected_at": iso_utc(started_at)}


def rejected_records_sql(plan, layout):
    """
    The Spark SQL of a plan's rejected records (lib/etl/plan.ts rejectedSql.spark), checked to select the record
    columns the layout declares (lib/etl/rejected.ts REJECTED_COLUMNS), in order: one record per rejected row, the raw
    values of a row that failed typing as to_json(struct(raw_<c> AS <c>, ...)) with null fields kept.
    """
    sql = (plan.get("rejectedSql") or {}).get("spark") if isinstance(plan.get("rejectedSql"), dict) else None
    if not isinstance(sql, str):
        raise JobError("the plan of %s has no Spark rejectedSql (plans file version %d)"
                       % (plan.get("table"), PLANS_FILE_VERSION))
    return checked_rejected_sql(plan, sql, layout, "rejected records")


def conflict_sql(plan, layout):
    """
    An event table's (count_sql, records_sql) of the incoming copies of an id whose data differs from the row the
    merge keeps (lib/etl/plan.ts conflicts: countSql over incoming and lake_merged; recordsSql.spark, the rejected
    records, checked as rejected_records_sql), or None: a dataset, an event type without data columns.
    """
    conflicts = plan.get("conflicts")
    if conflicts is None:
        return None
    count_sql = conflicts.get("countSql") if isinstance(conflicts, dict) else None
    records = conflicts.get("recordsSql") if isinstance(conflicts, dict) else None
    records_sql = records.get("spark") if isinstance(records, dict) else None
    if not isinstance(count_sql, str) or not isinstance(records_sql, str):
        raise JobError("the conflicts SQL of %s is incomplete" % plan.get("table"))
    return count_sql, checked_rejected_sql(plan, records_sql, layout, "conflicting copies' records")


def checked_rejected_sql(plan, sql, layout, what):
    """sql, checked to select the layout's rejected record columns in order and to keep every raw value."""
    select = sql.split("\nFROM", 1)[0]
    named = re.findall(r"(?:\.|\bAS )([a-z_]+)(?=,|\s*$)", select)
    if named != layout["rejected"]["columns"]:
        raise JobError("the %s of %s select %s, the layout declares %s"
                       % (what, plan.get("table"), named, layout["rejected"]["columns"]))
    for c in plan["rawRecordColumns"]:
        if "raw_%s AS %s" % (c, c) not in sql:
            raise JobError("the %s of %s do not keep the raw value of %s" % (what, plan.get("table"), c))
    return sql


def summary_key(layout, run_id):
    return "%s%s.json" % (layout["runsPrefix"], run_id)


def hidden_delivery(path):
    """
    Whether a raw event key (or a part of one) has a hidden segment ('.backup/'): no delivery object is under one, and
    it is not named (lib/etl/duckdb-runner/events.ts). A '_' segment is not hidden here (uploads and rejected files
    hide it too: hidden below); a name that starts with '_' is misnamed (delivery_name).
    """
    return any(s.startswith(".") for s in path.split("/"))


def delivery_name(key, layout):
    """
    Whether a key not hidden is named as a delivery object: the declared extension, and a name that does not start
    with '_' (Spark's file listing drops such a file even when its path is given: read, it would give no row, and be
    recorded as compacted). Firehose never names one so (lib/etl/duckdb-runner/events.ts deliveryName).
    """
    return key.endswith(layout["rawEvents"]["extension"]) and not key.rsplit("/", 1)[-1].startswith("_")


def delivery_keys(keys, layout):
    """The keys of delivery objects: named as one (delivery_name) and no hidden segment ('.backup/')."""
    return [k for k in keys if delivery_name(k, layout) and not hidden_delivery(k)]


def warn_misnamed(table, keys, layout):
    """
    Names the objects under a table's raw prefix that no compaction takes: not hidden, not named as delivery objects
    (an object moved back from errors/ as .jsonl or .GZ, a name starting with '_'), as the local runner's log does.
    """
    extension = layout["rawEvents"]["extension"]
    misnamed = [k for k in keys if not delivery_name(k, layout) and not hidden_delivery(k)]
    if misnamed:
        print(
            json.dumps(
                {
                    "warning": "raw event objects whose names do not end in %s, or start with '_' (Spark reads no such file), are not compacted: rename them" % extension,
                    "table": table,
                    "objects": len(misnamed),
                    "first": sorted(misnamed)[0],
                }
            )
        )


def pending_by_date(keys, processed_by_date, layout):
    """
    Raw event keys not yet compacted, grouped by arrival date: {date: [keys]} (sorted). Delivery objects only: the
    declared extension and no hidden segment ('.backup/'), as rebuild_events and the local runner take them.
    """
    pending = {}
    for key in sorted(delivery_keys(keys, layout)):
        date = arrival_date(key, layout["arrivalDatePattern"])
        if date is None:
            raise JobError("raw event object %r has no arrival_date in its key" % key)
        if key in processed_by_date.get(date, set()):
            continue
        pending.setdefault(date, []).append(key)
    return pending


def merged_manifest(old, added, versions=None):
    """
    The manifest after a run: the union of what it listed and the keys just processed, sorted, with the versions (sizes)
    they were read at.
    """
    processed = set(old.get("processed", []) if isinstance(old, dict) else [])
    processed.update(added)
    merged = dict(old.get("versions", {}) if isinstance(old, dict) else {})
    merged.update(versions or {})
    return {"processed": sorted(processed), "versions": dict(sorted(merged.items()))}


def partition_path(plan, values):
    """tables/.../<key>=<value>/ for one partition (values in plan.partitionKeys order)."""
    return plan["prefix"] + "".join("%s=%s/" % (k, v) for k, v in zip(plan["partitionKeys"], values))


def partition_name(plan, values):
    return "/".join("%s=%s" % (k, v) for k, v in zip(plan["partitionKeys"], values))


def listed_partitions(partitions, layout):
    """The first layout['partitionsListed'] partitions, sorted, and how many there are (payloads stay small)."""
    unique = sorted(set(partitions))
    return {"partitions": unique[: layout["partitionsListed"]], "partitionCount": len(unique)}


def table_figures(plan, rows_read, rows_rejected, existing_rows, merged_rows, partitions, rejected_location, layout):
    """
    One table's figures. Every row read is accounted for once: rowsRead = rowsWritten + rowsRejected +
    duplicatesRemoved, where rowsWritten counts new keys (merged - existing, never below 0: a table an earlier version
    left with one key in two partitions has more stored rows than keys) and duplicatesRemoved the rows the merge
    dropped (a repeated key in the input, or a key the table already had: replaced or kept).
    """
    written = max(0, merged_rows - existing_rows)
    figures = {
        "table": plan["table"],
        "schemaVersion": plan["version"],
        "rowsRead": rows_read,
        "rowsWritten": written,
        "rowsRejected": rows_rejected,
        "duplicatesRemoved": (rows_read - rows_rejected) - written,
    }
    figures.update(listed_partitions(partitions, layout))
    if rejected_location:
        figures["rejectedLocation"] = rejected_location
    figures["maxRejectedRatio"] = plan["maxRejectedRatio"]
    return figures


def add_figures(total, figures):
    """
    Adds a batch's figures (table_figures) to a table's: every partition is kept, under all_partitions (table_figures
    lists the first ones only), until finished_figures lists them.
    """
    partitions = set(figures.get("all_partitions", figures["partitions"]))
    if total is None:
        return dict(figures, all_partitions=partitions)
    for name in ("rowsRead", "rowsWritten", "rowsRejected", "duplicatesRemoved"):
        total[name] += figures[name]
    total["all_partitions"] |= partitions
    if figures.get("rejectedLocation"):
        total["rejectedLocation"] = figures["rejectedLocation"]
    return total


def finished_figures(total, layout):
    """A table's figures after add_figures, as the summary reports them (partitions listed up to the cap)."""
    out = {k: v for k, v in total.items() if k not in ("all_partitions", "rejectedLocation", "maxRejectedRatio")}
    out.update(listed_partitions(total["all_partitions"], layout))
    if total.get("rejectedLocation"):
        out["rejectedLocation"] = total["rejectedLocation"]
    out["maxRejectedRatio"] = total["maxRejectedRatio"]
    return out


def combined_figures(figures_list, layout):
    """One entry per table, in the order of their first appearance: the parts of a run that loaded the same table."""
    totals = {}
    for figures in figures_list:
        totals[figures["table"]] = add_figures(totals.get(figures["table"]), figures)
    return [finished_figures(t, layout) for t in totals.values()]


# ---------------------------------------------------------------------------------------------------------------
# Replay and rebuild (lib/etl/duckdb-runner/replay.ts, rebuild.ts)
# ---------------------------------------------------------------------------------------------------------------


def hidden(relative):
    """A path (relative to a listed prefix) with a segment that starts with '.' or '_'."""
    return any(s.startswith(".") or s.startswith("_") for s in relative.split("/"))


def replay_taken(prefix, keys, state, written):
    """
    The rejected files of a table (keys under prefix) a replay takes, sorted: JSON files, not hidden, that no earlier
    replay took (state: {"replayed": [...]}) and this run did not write.
    """
    replayed = set(state.get("replayed", []) if isinstance(state, dict) else [])
    return sorted(
        k for k in set(keys)
        if k.startswith(prefix) and k.endswith(".json") and not hidden(k[len(prefix):])
        and k not in replayed and k not in set(written)
    )


# lib/etl/event-conflicts.ts ID_CONFLICT_REASON: the reason of a copy whose event id names another, stored event.
ID_CONFLICT_REASON = (
    "event_id: names another event of this type, stored with other data (an id names one event: copies must carry "
    "the same data); this copy is not stored: send it again with an id of its own"
)


def replay_sources(source_files):
    """The raw objects a replay reads again: the distinct source_file keys of the rejected records, sorted."""
    return sorted({s for s in source_files if isinstance(s, str) and s})


def replayable(reason):
    """
    Whether a rejected record's row is replayed: not a copy rejected for its event id (no schema change can load it,
    the stored row stays; read again, it was rejected again and every later replay of the table failed on it).
    """
    return reason != ID_CONFLICT_REASON


def replay_reads(state):
    """ReplayedState.read of a replayed state: {run id: {key: ETag}} of the uploads each replay read, or {}."""
    read = state.get("read") if isinstance(state, dict) else None
    return read if isinstance(read, dict) else {}


def replayed_state(old, taken, run_id=None, reads=None):
    """
    _state/replayed/<table>.json after a replay: what earlier replays took and what this one took, sorted; and the
    content (ETag) of each upload each replay read, by run id (lib/etl/rejected.ts ReplayedState.read).
    """
    replayed = set(old.get("replayed", []) if isinstance(old, dict) else [])
    read = dict(replay_reads(old))
    if run_id is not None and reads:
        read[run_id] = dict(reads)
    return {"replayed": sorted(replayed | set(taken)), **({"read": read} if read else {})}


def upload_problem(key, table, layout):
    """Why a key under uploads/<table>/ is no upload of the table (as validateUpload sees it), or None."""
    prefix = layout["uploads"]["prefix"]
    if not key.startswith(prefix):
        return "outside %s" % prefix
    relative = key[len(prefix):]
    if relative == "" or key.endswith("/"):
        return "a folder marker"
    if hidden(relative):
        return "hidden (a path segment starts with . or _)"
    segments = relative.split("/")
    if any(segments[-1].lower().endswith(x) for x in layout["uploads"]["temporarySuffixes"]):
        return "a temporary file"
    if len(segments) != 2 or "" in segments:
        return "not %s<dataset>/<file>" % prefix
    if re.search(r"[\x00-\x1f\x7f\\]", key):
        return "the key contains control characters or a backslash"
    if re.search(r"[*?\[\]{}]", key):
        # Spark reads such a path as a glob pattern: another file, or none (validateUpload quarantines it).
        return "the key contains a glob character (* ? [ ] { })"
    if segments[0] != table:
        return "not under %s%s/" % (prefix, table)
    try:
        input_format(key)
    except JobError as e:
        return str(e)
    return None


def queue_records(s3, bucket, layout):
    """
    Every record of the queue of accepted uploads: pending, then done, then one {table, key, etag} per upload a
    rebuild read by its name (restored_uploads) (lib/etl/upload-queue.ts).
    """
    records = []
    for prefix in (layout["pendingUploadsPrefix"], layout["uploadResultsPrefix"], layout["restoredUploadsPrefix"]):
        for key in list_keys(s3, bucket, prefix):
            record = get_queue_record(s3, bucket, key) if key.endswith(".json") else None
            if record is None:
                continue
            records += restored_uploads(record) if prefix == layout["restoredUploadsPrefix"] else [record]
    return records


def restored_uploads(record):
    """
    The uploads a rebuild read by their names (lib/etl/upload-queue.ts RestoredUploads), one record each, taken by
    that rebuild when it recorded them (their place in upload_orders: before any upload checked since).
    """
    if not isinstance(record, dict):
        return []
    uploads = record.get("uploads")
    run = (
        {"runId": record["runId"], "processedAt": record["restoredAt"]}
        if isinstance(record.get("runId"), str) and isinstance(record.get("restoredAt"), str)
        else {}
    )
    return [
        dict({"table": record.get("table"), "key": u["key"], "etag": u["etag"]}, **run)
        for u in (uploads if isinstance(uploads, list) else [])
        if isinstance(u, dict) and isinstance(u.get("key"), str) and isinstance(u.get("etag"), str)
    ]


def restored_record(table, run_id, restored_at, objects, listed):
    """
    The record of the uploads a rebuild reads by their names (no record of the table's uploads at all), written before
    it reads them: a later rebuild reads them again when uploads checked since have records of their own.
    objects: the inputs [key, size]; listed: [key, size, etag] as listed.
    """
    etags = {k: (e or "").strip('"') for k, _, e in listed}
    return {
        "table": table,
        "runId": run_id,
        "restoredAt": restored_at,
        "uploads": [{"key": k, "etag": etags[k]} for k, _ in objects],
    }


def upload_orders(records, table):
    """
    The order in which a dataset's uploads were loaded, for a reload merge (plan.reloadMergeSql joins the view
    lake_upload_order): [[key, order]] by key, from the queue's done records of the table (key, runId, processedAt):
    a run's order is the first processedAt of its results, an upload's the latest of the runs that took it
    (lib/etl/upload-order.ts).
    """
    done = [
        r
        for r in records
        if isinstance(r, dict)
        and r.get("table") == table
        and isinstance(r.get("key"), str)
        and isinstance(r.get("runId"), str)
        and isinstance(r.get("processedAt"), str)
    ]
    runs = {}
    for r in done:
        if r["runId"] not in runs or r["processedAt"] < runs[r["runId"]]:
            runs[r["runId"]] = r["processedAt"]
    uploads = {}
    for r in done:
        order = runs[r["runId"]]
        if r["key"] not in uploads or order > uploads[r["key"]]:
            uploads[r["key"]] = order
    return [[k, uploads[k]] for k in sorted(uploads)]


_UPLOAD_ORDERS = {}


def know_upload_orders(records, table):
    """The queue's records a replay or a rebuild read already: upload_order_view does not list them again."""
    _UPLOAD_ORDERS[table] = upload_orders(records, table)


def upload_order_view(spark, s3, options, layout, plan):
    """Makes the view lake_upload_order of the table's uploads (upload_orders), read once per run."""
    table = plan["table"]
    if table not in _UPLOAD_ORDERS:
        _UPLOAD_ORDERS[table] = (
            upload_orders(queue_records(s3, options["curated_bucket"], layout), table)
            if plan.get("kind") != "events"
            else []
        )
    spark.createDataFrame(
        [tuple(r) for r in _UPLOAD_ORDERS[table]], "upload_key string, upload_order string"
    ).createOrReplaceTempView("lake_upload_order")


def runs_replaced_since(records, key, runs, etag, reads=None):
    """
    For a replay: the runs among runs whose rejected rows came from content of the upload under key that it no
    longer holds (etag now: a result of the run, or what a replay among them read — reads: replay_reads —, names
    another ETag); a run nothing tells the content of is not among them (lib/etl/duckdb-runner/accepted-uploads.ts).
    """
    now = (etag or "").strip('"')
    replaced = []
    for run in runs:
        read = {
            r["etag"].strip('"')
            for r in records
            if isinstance(r, dict) and r.get("key") == key and r.get("runId") == run and isinstance(r.get("etag"), str)
        }
        replayed = (reads or {}).get(run)
        if isinstance(replayed, dict) and isinstance(replayed.get(key), str):
            read.add(replayed[key].strip('"'))
        if read and now not in read:
            replaced.append(run)
    return sorted(replaced)


def accepted_uploads(records, table):
    """
    The accepted versions of a table's uploads, from the records of the queue of accepted uploads (pending, and done
    whatever the outcome): {key: set of ETags, or None for a record without one (any content)}
    (lib/etl/duckdb-runner/accepted-uploads.ts).
    """
    accepted = {}
    for r in records:
        if not isinstance(r, dict) or r.get("table") != table or not isinstance(r.get("key"), str):
            continue
        key, etag = r["key"], r.get("etag")
        if key in accepted and accepted[key] is None:
            continue
        accepted[key] = None if not isinstance(etag, str) else accepted.get(key, set()) | {etag.strip('"')}
    return accepted


# How many skipped files a rebuild's warning names, with their reasons (lib/etl/duckdb-runner/rebuild.ts).
SKIPPED_REASONS_LOGGED = 20


def rebuild_uploads(objects, table, layout, accepted):
    """
    A dataset's rebuild inputs from the objects [key, size, etag] under uploads/<table>/: (inputs [key, size],
    skipped keys), sorted. An upload is read again only when the upload check accepted its present content
    (accepted_uploads): a file it has not checked, or replaced since, is skipped.
    """

    def why_skipped(key, etag):
        problem = upload_problem(key, table, layout)
        if problem is not None:
            return problem
        # No record at all of the table's uploads (the curated bucket's _state/ lost): read by name, as the local
        # runner does, so that a lake rebuilt from its raw zone alone loses no upload.
        if not accepted or accepted.get(key, set()) is None:
            return None
        if key not in accepted:
            return "the upload check has not accepted it (no record in the queue of accepted uploads)"
        if (etag or "").strip('"') not in accepted[key]:
            return "the upload check has not accepted this content (the file was replaced since it was accepted)"
        return None

    reasons = {k: why_skipped(k, e) for k, _, e in objects}
    inputs = sorted([k, n] for k, n, _ in objects if reasons[k] is None)
    skipped = sorted(k for k, _, _ in objects if reasons[k] is not None)
    if skipped:
        # As the local runner's warning (lib/etl/duckdb-runner/rebuild.ts): the first SKIPPED_REASONS_LOGGED.
        named = [{"key": k, "reason": reasons[k]} for k in skipped[:SKIPPED_REASONS_LOGGED]]
        print(json.dumps({"warning": "rebuild: files under the dataset's uploads/ not read", "table": table,
                          "count": len(skipped), "skipped": named}))
    return inputs, skipped


def rebuild_events(objects, prefix, layout):
    """
    An event type's rebuild inputs from the objects [key, size] under its raw prefix: the delivery objects (the
    declared extension, no hidden segment) by arrival date then key, and the keys skipped.
    """
    inputs, skipped = [], []
    for key, size in objects:
        if delivery_name(key, layout) and not hidden_delivery(key[len(prefix) :]):
            date = arrival_date(key, layout["arrivalDatePattern"])
            if date is None:
                raise JobError("raw event object %r has no arrival_date in its key" % key)
            inputs.append([date, key, size])
        else:
            skipped.append(key)
    return [[k, n] for _, k, n in sorted(inputs)], sorted(skipped)


def size_batches(items, max_bytes, alone=lambda item: False):
    """
    [item, size] pairs in batches of at most max_bytes, in order (an item larger than that is a batch of its own, and
    so is each item `alone` names).
    """
    batches, current, size, last_alone = [], [], 0, False
    for item, n in items:
        if current and (size + n > max_bytes or alone(item) or last_alone):
            batches.append(current)
            current, size = [], 0
        current.append(item)
        size += n
        last_alone = alone(item)
    if current:
        batches.append(current)
    return batches


def table_partitions(objects, plan):
    """
    The partitions of a table from the objects [key, size] under its prefix: those holding Parquet files (names not
    starting with '.' or '_'), sorted by name, with the bytes of their files.
    """
    keys = plan["partitionKeys"]
    found = {}
    for key, size in objects:
        segments = key[len(plan["prefix"]):].split("/") if key.startswith(plan["prefix"]) else []
        if len(segments) != len(keys) + 1:
            continue
        name = segments[-1]
        if not name.endswith(".parquet") or name.startswith(".") or name.startswith("_"):
            continue
        values = []
        for k, segment in zip(keys, segments):
            if not segment.startswith(k + "=") or segment == k + "=":
                break
            values.append(segment[len(k) + 1:])
        if len(values) != len(keys):
            continue
        entry = found.setdefault(tuple(values), {"values": values, "name": partition_name(plan, values), "bytes": 0})
        entry["bytes"] += size
    return sorted(found.values(), key=lambda p: p["name"])


def partitions_written(incoming, held, kept_in, stored):
    """
    The partitions a batch writes (lib/etl/duckdb-runner/batch.ts): those the merged rows are in (kept_in), and those
    of the incoming rows or of the partitions that held incoming keys (partitions_holding_keys) that the merge left
    without rows (their keys' kept copies are in other partitions) where the table has them (among `stored`) —
    emptied. Returns (written, emptied), each sorted.
    """
    kept = {tuple(v) for v in kept_in}
    has = {tuple(v) for v in stored}
    emptied = sorted({tuple(v) for v in list(incoming) + list(held) if tuple(v) not in kept and tuple(v) in has})
    return sorted(kept | set(emptied)), emptied


def replay_summary(table, taken, present, missing, figures, layout):
    """lib/etl/run.ts ReplaySummary."""
    listed = listed_partitions(missing, layout)
    return {
        "table": table,
        "rejectedFiles": len(taken),
        "sources": len(present),
        "missing": listed["partitions"],
        "missingCount": listed["partitionCount"],
        "figures": figures,
    }


def rebuild_summary(table, sources, skipped, rewritten, figures, layout):
    """lib/etl/run.ts RebuildSummary."""
    listed = listed_partitions(skipped, layout)
    return {
        "table": table,
        "sources": sources,
        "skipped": listed["partitions"],
        "skippedCount": listed["partitionCount"],
        "partitionsRewritten": rewritten,
        "figures": figures,
    }


# ---------------------------------------------------------------------------------------------------------------
# The queue of accepted uploads (lib/etl/upload-queue.ts)
# ---------------------------------------------------------------------------------------------------------------


def pending_upload_key(layout, execution):
    return "%s%s.json" % (layout["pendingUploadsPrefix"], execution)


def upload_result_key(layout, execution):
    return "%s%s.json" % (layout["uploadResultsPrefix"], execution)


def unreadable_upload(s3, bucket, keys):
    """Why an upload's files cannot be read as rows (a name of no format, a gzip stream cut short), or None."""
    for key in keys:
        try:
            gz = input_format(key)[1]
        except JobError as e:
            return str(e)
        problem = gzip_problem(s3.get_object(Bucket=bucket, Key=key)["Body"].read) if gz else None
        if problem:
            return "%r is %s" % (key, problem)
    return None


def accepted_after(record, started_at):
    """Whether a pending upload was accepted (acceptedAt, ISO-8601) after `started_at`; one without a time was not."""
    accepted = record.get("acceptedAt")
    if not isinstance(accepted, str):
        return False
    try:
        at = datetime.fromisoformat(accepted.replace("Z", "+00:00"))
    except ValueError:
        return False
    return at.tzinfo is not None and at > started_at


def queue_order(records):
    """Pending uploads oldest first (accepted time, then execution name)."""
    return sorted(records, key=lambda r: (r.get("acceptedAt") or "", r["execution"]))


def own_pending(options, records, has_result, accepted_at):
    """
    A run in mode 'file' takes its own --inputs too when validateUpload recorded no pending upload for them (an
    execution started by hand, or by a validateUpload of before the queue) and no run has taken them.
    """
    if options["mode"] != "file" or any(r["execution"] == options["run_id"] for r in records):
        return None
    if has_result:
        return None
    return {
        "execution": options["run_id"],
        "table": options["table"],
        "key": options["inputs"][0],
        "keys": list(options["inputs"]),
        # The version the execution's input names: another written under the name since is not loaded here.
        **options.get("accepted", {}),
        "acceptedAt": accepted_at,
    }


def upload_base(options, record, processed_at):
    return {
        "execution": record["execution"],
        "key": record["key"],
        # The version accepted: a rebuild reads the file again only while it is this one (accepted_uploads).
        **{k: record[k] for k in ("etag", "versionId") if isinstance(record.get(k), str)},
        "mode": "file",
        "runId": options["run_id"],
        "jobRunId": options["job_run_id"],
        "table": record["table"],
        "processedAt": processed_at,
    }


def upload_success(options, record, plan, sources, rejected_location, layout, processed_at):
    """The result of an upload the run loaded: its figures, summed over its keys' shares of the batch."""
    rows_read = sum(s["rowsRead"] for s in sources)
    rows_rejected = sum(s["rowsRejected"] for s in sources)
    # A file's share of the new keys (source_figures: none for a file whose rows a newer version of the same keys
    # replaced in the same run, or whose rows replaced stored ones), held between none and its valid rows (as the
    # local runner counts it, lib/etl/duckdb-runner/uploads.ts).
    rows_written = sum(min(max(0, s["rowsWritten"]), s["rowsRead"] - s["rowsRejected"]) for s in sources)
    figures = {
        "table": record["table"],
        "schemaVersion": plan["version"],
        "rowsRead": rows_read,
        "rowsWritten": rows_written,
        "rowsRejected": rows_rejected,
        "duplicatesRemoved": rows_read - rows_rejected - rows_written,
    }
    figures.update(listed_partitions([p for s in sources for p in s["partitions"]], layout))
    if rows_rejected and rejected_location:
        figures["rejectedLocation"] = rejected_location
    figures["maxRejectedRatio"] = plan["maxRejectedRatio"]
    ratio = (rows_rejected / rows_read) if rows_read else 0
    result = upload_base(options, record, processed_at)
    result.update(figures)
    result.update(
        {
            "status": "SUCCEEDED",
            "rejectedRatio": ratio,
            "rejectedAboveThreshold": ratio > plan["maxRejectedRatio"],
            "rejectedAbove": rejected_above_text([figures]),
            "tables": [figures],
        }
    )
    return result


def upload_failure(options, record, error, cause, plan, processed_at):
    """A FAILED result; plan is the table's (None when there is no such table: no version, no threshold)."""
    result = upload_base(options, record, processed_at)
    result.update(
        {
            "status": "FAILED",
            "error": error,
            "cause": cause,
            "schemaVersion": plan["version"] if plan else None,
            "rowsRead": 0,
            "rowsWritten": 0,
            "rowsRejected": 0,
            "duplicatesRemoved": 0,
            "partitions": [],
            "partitionCount": 0,
            "maxRejectedRatio": plan["maxRejectedRatio"] if plan else 0,
            "rejectedRatio": 0,
            "rejectedAboveThreshold": False,
            "rejectedAbove": "",
            "tables": [],
        }
    )
    return result


GIVEN_UP = (
    "%d ETL runs took this upload and none finished it (they failed or stopped as a whole): it is given up so that "
    "it cannot hold up the others. See those runs, fix the cause, then replay the file."
)


METRICS_NAMESPACE = "DataLake"


def row_metric_data(figures_list, service, stage):
    """CloudWatch datums of a run: EtlRowsWritten and EtlRowsRejected per table (dimensions service, stage, table)."""
    data = []
    for figures in figures_list:
        dimensions = [
            {"Name": "service", "Value": service},
            {"Name": "stage", "Value": stage},
            {"Name": "table", "Value": figures["table"]},
        ]
        for name, key in (("EtlRowsWritten", "rowsWritten"), ("EtlRowsRejected", "rowsRejected")):
            data.append({"MetricName": name, "Dimensions": dimensions, "Value": figures[key], "Unit": "Count"})
    return data


def publish_row_metrics(args, tables, cloudwatch=None):
    """
    Puts the run's row counts to CloudWatch (namespace DataLake; the Glue role may put only there and to Glue).
    Best effort: a metrics failure is printed and never fails the job. Returns the number of datums sent.
    """
    try:
        data = row_metric_data(tables, args.get("service") or "data-lake", args.get("stage") or "unknown")
        if not data:
            return 0
        if cloudwatch is None:
            import boto3

            cloudwatch = boto3.client("cloudwatch")
        for i in range(0, len(data), 500):  # PutMetricData: at most 1,000 datums per call
            cloudwatch.put_metric_data(Namespace=METRICS_NAMESPACE, MetricData=data[i : i + 500])
        return len(data)
    except Exception as error:  # noqa: BLE001 - metrics must never fail the run
        print(json.dumps({"warning": "row metrics not published", "error": repr(error)}))
        return 0


def rejected_above(figures):
    return figures["rowsRead"] > 0 and figures["rowsRejected"] / figures["rowsRead"] > figures["maxRejectedRatio"]


def rejected_above_text(figures_list):
    """
    What the rejected-rows notice says (lib/etl/duckdb-runner/figures.ts rejectedAboveText): each table above its
    threshold, once, as "<table>: r of n rows rejected, above its maxRejectedRatio, w new rows loaded", "; "-joined
    ('' when none).
    """
    named = []
    out = []
    for t in figures_list:
        if rejected_above(t) and t["table"] not in named:
            named.append(t["table"])
            out.append(
                "%s: %d of %d rows rejected, above its maxRejectedRatio, %d new rows loaded"
                % (t["table"], t["rowsRejected"], t["rowsRead"], t["rowsWritten"])
            )
    return "; ".join(out)


def run_summary(
    options, started_at, finished_at, inputs, tables, uploads, event_tables, inputs_key, own=None, objects_left=0
):
    """
    The run's record (lib/etl/run.ts EtlRunSummary), bounded whatever the backlog: the keys read are counted here and
    listed under inputs_key. rejectedAboveThreshold concerns the event tables and the replay's or rebuild's own
    figures (own: its ReplaySummary or RebuildSummary): uploads are judged in their results.
    """
    rows_read = sum(t["rowsRead"] for t in tables)
    rows_rejected = sum(t["rowsRejected"] for t in tables)
    above = rejected_above_text(
        [t for t in tables if t["table"] in event_tables] + ([own["figures"]] if own is not None else [])
    )
    summary = {
        "runId": options["run_id"],
        "jobRunId": options["job_run_id"],
        "mode": options["mode"],
        "engine": ENGINE,
        "startedAt": iso_utc(started_at),
        "finishedAt": iso_utc(finished_at),
        "inputCount": len(inputs),
    }
    if inputs_key:
        summary["inputsKey"] = inputs_key
    summary.update(
        {
            "tables": tables,
            "rowsRead": rows_read,
            "rowsWritten": sum(t["rowsWritten"] for t in tables),
            "rowsRejected": rows_rejected,
            "rejectedRatio": (rows_rejected / rows_read) if rows_read else 0,
            "rejectedAboveThreshold": bool(above),
            "rejectedAbove": above,
            "uploads": uploads,
            "eventObjectsLeft": objects_left,
        }
    )
    if own is not None:
        summary[options["mode"]] = own
    return summary


def inputs_key(layout, run_id):
    return "%s%s.inputs.json" % (layout["runsPrefix"], run_id)


def catalog_mismatch(glue_table, plan, curated_bucket):
    """Why a Glue Data Catalog table does not describe what the plan writes (None when it does)."""
    descriptor = glue_table.get("StorageDescriptor", {})
    columns = [c["Name"] for c in descriptor.get("Columns", [])]
    keys = [c["Name"] for c in glue_table.get("PartitionKeys", [])]
    expected_columns = [c for c in plan["outputColumns"] if c not in plan["partitionKeys"]]
    if columns != expected_columns:
        return "columns %s, the plan writes %s" % (columns, expected_columns)
    if keys != plan["partitionKeys"]:
        return "partition keys %s, the plan writes %s" % (keys, plan["partitionKeys"])
    location = descriptor.get("Location", "").rstrip("/") + "/"
    expected_location = "s3://%s/%s" % (curated_bucket, plan["prefix"])
    if location != expected_location:
        return "location %s, the plan writes %s" % (location, expected_location)
    return None


def quote_identifier(name):
    return "`" + name.replace("`", "``") + "`"


# ---------------------------------------------------------------------------------------------------------------
# S3 (boto3)
# ---------------------------------------------------------------------------------------------------------------


def s3_client():
    import boto3

    return boto3.client("s3")


def list_keys(s3, bucket, prefix):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []) if not o["Key"].endswith("/"))
    return keys


def has_objects(s3, bucket, prefix):
    return s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount", 0) > 0


def get_json(s3, bucket, key, default=None):
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return default
    return parse_state_json(body, "s3://%s/%s" % (bucket, key))


def parse_state_json(body, where):
    """A state file's JSON; a damaged one is named, with where to read what to do (as the local runner says it)."""
    try:
        return json.loads(body)
    except ValueError as e:
        raise JobError('%s is damaged (not JSON: %s); README "Damaged state files" says what to do with it' % (where, e))


def get_queue_record(s3, bucket, key):
    """
    A record of the queue of accepted uploads, or None when it is gone or damaged: a damaged one is named in a warning
    and left in place (README "Damaged state files"), as the local runner does, rather than failing every run.
    """
    try:
        return get_json(s3, bucket, key)
    except JobError as e:
        print(json.dumps({"warning": "a record of the queue of accepted uploads is damaged: its upload is skipped", "record": key, "error": str(e)}))
        return None


def put_json(s3, bucket, key, value):
    body = (json.dumps(value, indent=2, sort_keys=False) + "\n").encode("utf-8")
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")


def head_bytes(s3, bucket, key, size=JSON_SNIFF_BYTES):
    from botocore.exceptions import ClientError

    try:
        return s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-%d" % (size - 1))["Body"].read()
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "InvalidRange":
            return b""  # an empty object
        raise


# ---------------------------------------------------------------------------------------------------------------
# Spark
# ---------------------------------------------------------------------------------------------------------------


# The Spark settings the plans are written for (lib/etl/plan.ts).
SPARK_CONF = {
    # Timestamps without an offset are UTC, and dates of timestamps are UTC dates (plan.ts).
    "spark.sql.session.timeZone": "UTC",
    # Casts of invalid text give NULL, as the plans expect (they check with regexp_like first anyway).
    "spark.sql.ansi.enabled": "false",
    # String literals are taken as written, as DuckDB takes them: the plans' regular expressions (\z, \x{2028}, ...)
    # reach java.util.regex exactly as they reach RE2 (lib/etl/portable-regex.ts). Spark's lexer still pairs a
    # backslash with the next character, a quote too: the plans write no quote and no unpaired backslash at the end
    # of a literal (lib/etl/column-rules.ts literal; tests/etl/spark-sql-grammar.test.ts parses every plan).
    "spark.sql.parser.escapedStringLiterals": "true",
    # Overwrite only the partitions the merged rows are in.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # Partition values stay strings (dt=2024-01-01 is not read back as a DATE).
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.parquet.compression.codec": "zstd",
    # Dates and times on the proleptic Gregorian calendar, as written, as DuckDB and Athena read and write them. Spark
    # 3.5's default (EXCEPTION) fails any write of a date before 1582-10-15 or a timestamp before 1900-01-01 (and
    # a read of such a value from another writer's Parquet): a run with one such row failed on AWS and loaded locally,
    # and a raw event with one stopped its type's compactions.
    "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
}


def spark_session():
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("lake-etl").getOrCreate()
    conf = SPARK_CONF
    for name, value in conf.items():
        spark.conf.set(name, value)
    # No _SUCCESS markers among the table's files.
    spark.sparkContext._jsc.hadoopConfiguration().set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    return spark


def struct_type(tree):
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType(
        [StructField(name, StringType() if sub is None else struct_type(sub), True) for name, sub in tree.items()]
    )


def nested_column(path):
    from pyspark.sql import functions as F

    column = F.col(quote_identifier(path[0]))
    for field in path[1:]:
        column = column.getField(field)
    return column


# to_json's options for a nested Parquet value: a struct's null field kept, as DuckDB's to_json keeps it (Spark drops
# it by default: {"a":1,"b":null} became {"a":1}). Timestamps, bytes, 32-bit floats and JSON text inside, and map keys
# of some types (dates, timestamps, floats, decimals of scale above 6), are refused at upload: the engines write them
# as different JSON (lib/uploads/parquet-types.ts).
NESTED_JSON_OPTIONS = {"ignoreNullFields": "false"}


def as_text(column, data_type):
    """
    A value as the text raw_input holds: JSON text for nested values, a decimal's plain digits, a 32-bit float's exact
    value widened to a double, the cast to STRING otherwise.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, DecimalType, FloatType, MapType, StructType

    if isinstance(data_type, (StructType, ArrayType, MapType)):
        return F.to_json(column, NESTED_JSON_OPTIONS)
    if isinstance(data_type, DecimalType) and data_type.scale > 0:
        # CAST(decimal AS STRING) writes Java's BigDecimal.toString when ANSI mode is off (as this job runs):
        # 5E-8 for 0.00000005 and 0E-8 for zero at scale 8, which the plan's decimal rule rejects (no exponent) and
        # a string column would store as such. format_number formats the exact BigDecimal with a DecimalFormat
        # "#,###,##0.<scale zeros>" in Locale.US: without its grouping commas, the plain text the local runner
        # reads (DuckDB's CAST: 0.00000005, 12.50000000, -3.10000000).
        return F.regexp_replace(F.format_number(column, data_type.scale), ",", "")
    if isinstance(data_type, FloatType):
        # Java 17's Float.toString is not the float's shortest text (2681.2812 for 2681.28125), nor DuckDB's
        # (67194850 for 67194848): widened first, both engines write a text of the same double, the float's value.
        return column.cast("double").cast("string")
    return column.cast("string")


def resolve_path(schema, path):
    """The data type at a path in a Spark schema, or None when the path is absent."""
    from pyspark.sql.types import StructType

    data_type = schema
    for field in path:
        if not isinstance(data_type, StructType):
            return None
        match = [f for f in data_type.fields if f.name == field]
        if not match:
            return None
        data_type = match[0].dataType
    return data_type


def with_lineage(df, plan, source, ingested_at, columns, raw_record=None, scan=None):
    """
    Selects the raw_input columns (in plan order), lake_source_file and lake_ingested_at, the text of a record
    that could not be parsed (RAW_RECORD, NULL for the others), and SCAN_COLUMN (`scan`: a column of the input).
    """
    from pyspark.sql import functions as F

    selected = [columns[c["name"]].alias(c["name"]) for c in plan["input"]["columns"]]
    selected.append(source.alias("lake_source_file"))
    selected.append(F.lit(ingested_at).alias("lake_ingested_at"))
    selected.append((null_text() if raw_record is None else F.col(RAW_RECORD)).alias(RAW_RECORD))
    selected.append((null_text() if scan is None else scan.cast("string")).alias(SCAN_COLUMN))
    return df.select(*selected)


def lineage_names(plan):
    """The columns of a with_lineage frame, in its order."""
    return [c["name"] for c in plan["input"]["columns"]] + [
        "lake_source_file",
        "lake_ingested_at",
        RAW_RECORD,
        SCAN_COLUMN,
    ]


def null_text():
    from pyspark.sql import functions as F

    return F.lit(None).cast("string")


def source_column(raw_bucket, key=None):
    """lake_source_file: the key itself, or (for keys read together) the path Spark reports minus s3://<bucket>/."""
    from pyspark.sql import functions as F

    if key is not None:
        return F.lit(key)
    return F.regexp_replace(F.input_file_name(), "^s3[an]?://" + re.escape(raw_bucket) + "/", "")


def with_raw_record(schema):
    """The schema plus the column Spark fills with the text of a record it cannot parse (PERMISSIVE mode)."""
    from pyspark.sql.types import StringType, StructField, StructType

    if RAW_RECORD in schema.fieldNames():
        raise JobError("the input has a column named %s, which the job uses for unparseable records" % RAW_RECORD)
    return StructType(schema.fields + [StructField(RAW_RECORD, StringType(), True)])


# Spark's JSON reader options: strict JSON, as the local runner (DuckDB's read_json, then JSON.parse line by line)
# reads it. Spark's defaults take 'single-quoted' strings and NaN / Infinity / +INF as numbers: such a record was
# curated on AWS and rejected as "not valid JSON" locally.
JSON_READ_OPTIONS = {"mode": "PERMISSIVE", "allowSingleQuotes": "false", "allowNonNumericNumbers": "false"}


def read_json_like(spark, plan, raw_bucket, keys, multiline, ingested_at, key=None):
    """
    JSON lines (multiline False) or JSON documents: an explicit schema of strings from the input paths, so that
    nested objects and arrays come as JSON text. A line that is not JSON, or whose nested path holds something else
    than an object, is kept whole as a malformed record; a document that does not parse gives a row of NULLs.
    """
    schema = struct_type(schema_tree([c["path"] for c in plan["input"]["columns"]]))
    reader = spark.read.options(**JSON_READ_OPTIONS).option("multiLine", "true" if multiline else "false")
    if not multiline:
        schema = with_raw_record(schema)
        reader = reader.option("columnNameOfCorruptRecord", RAW_RECORD)
    df = reader.schema(schema).json(["s3://%s/%s" % (raw_bucket, k) for k in keys])
    columns = {c["name"]: nested_column(c["path"]) for c in plan["input"]["columns"]}
    raw_record = None if multiline else RAW_RECORD
    return with_lineage(df, plan, source_column(raw_bucket, key), ingested_at, columns, raw_record)


def read_csv(spark, plan, raw_bucket, key, ingested_at):
    """
    One CSV file with its header row (columns in any order, matched by name). A record Spark cannot parse is kept
    whole as a malformed record, and so is a record with fewer or more fields than the header, empty extra ones too
    (Spark 3's UnivocityParser.convert: a token count other than the schema's is a BadRecordException; in PERMISSIVE
    mode the corrupt-record column holds the record's text). The local runner rejects the same records.
    """
    from pyspark.sql.types import StringType, StructField, StructType

    path = "s3://%s/%s" % (raw_bucket, key)
    options = {
        "header": "true",
        "multiLine": "true",
        "escape": '"',
        "mode": "PERMISSIVE",
        "maxColumns": str(CSV_MAX_COLUMNS),
    }
    # The header names (Spark reads only the first line for them), then the file with one string column per name.
    names = spark.read.options(inferSchema="false", **options).csv(path).columns
    if not names:
        # An empty file: no rows, as the local runner reads it (no header, nothing to scan).
        return spark.createDataFrame([], StructType([StructField(n, StringType(), True) for n in lineage_names(plan)]))
    schema = with_raw_record(StructType([StructField(n, StringType(), True) for n in names]))
    df = spark.read.options(columnNameOfCorruptRecord=RAW_RECORD, **options).schema(schema).csv(path)
    header = {name.lstrip("\ufeff").strip(): name for name in names}
    columns = {}
    for c in plan["input"]["columns"]:
        actual = header.get(c["path"][0]) if len(c["path"]) == 1 else None
        columns[c["name"]] = null_text() if actual is None else nested_column([actual])
    # The first header column is read whatever the plan reads (SCAN_COLUMN): a header naming none of the table's
    # columns gives rows of NULLs, rejected as the local runner rejects them, not a scan Spark refuses.
    return with_lineage(
        df, plan, source_column(raw_bucket, key), ingested_at, columns, RAW_RECORD, nested_column([names[0]])
    )


def read_parquet(spark, plan, raw_bucket, keys, ingested_at, key=None):
    df = spark.read.parquet(*["s3://%s/%s" % (raw_bucket, k) for k in keys])
    columns = {}
    for c in plan["input"]["columns"]:
        data_type = resolve_path(df.schema, c["path"])
        columns[c["name"]] = null_text() if data_type is None else as_text(nested_column(c["path"]), data_type)
    return with_lineage(df, plan, source_column(raw_bucket, key), ingested_at, columns)


def input_groups(keys, declared=None, head=None):
    """
    {format: [keys]} of the inputs of a run. Uploads are routed by their names (input_format; a .json upload by its
    first line, read with head(key, size): its first size bytes); raw event objects all have the declared format
    (raw_events_format).
    """
    groups = {}
    for key in keys:
        if declared is not None:
            fmt, gz = declared
        else:
            fmt, gz = input_format(key)
            if fmt == "json":
                fmt = "jsonl" if json_layout_of(lambda size: head(key, size), gz) == "lines" else "json"
        groups.setdefault(fmt, []).append(key)
    return groups


def read_raw_input(spark, s3, plan, raw_bucket, keys, ingested_at, declared=None):
    """
    Reads the given raw objects (uploads in any mix of the accepted formats, or raw event objects of the declared
    format) into the view raw_input; returns the records that could not be parsed as rejected rows
    (lake_source_file, reject_reason, raw_record), and the frame to unpersist.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    groups = input_groups(keys, declared, lambda key, size: head_bytes(s3, raw_bucket, key, size))
    frames = []
    for fmt, group in sorted(groups.items()):
        if fmt == "csv":
            # Each CSV file with its own header row (columns may come in any order).
            frames.extend(read_csv(spark, plan, raw_bucket, k, ingested_at) for k in group)
            continue
        together = [k for k in group if SAFE_KEY.match(k)]
        alone = [k for k in group if not SAFE_KEY.match(k)]
        if fmt == "parquet":
            # Each file alone, as the local runner reads them: Spark's schema merge refuses one column stored with
            # two physical types (INT32 in one file, INT64 in another), which the upload check accepts.
            frames.extend(read_parquet(spark, plan, raw_bucket, [k], ingested_at, key=k) for k in group)
            continue
        else:
            multiline = fmt == "json"
            if together:
                frames.append(read_json_like(spark, plan, raw_bucket, together, multiline, ingested_at))
            frames.extend(read_json_like(spark, plan, raw_bucket, [k], multiline, ingested_at, key=k) for k in alone)
    if not frames:
        # No input (a rebuild's pass over partitions no raw object touched): an empty raw_input.
        from pyspark.sql.types import StringType, StructField, StructType

        frames = [spark.createDataFrame([], StructType([StructField(n, StringType(), True) for n in lineage_names(plan)]))]
    raw = frames[0]
    for frame in frames[1:]:
        raw = raw.unionByName(frame)
    # Read once: raw_input and the malformed records are two filters of it (and Spark refuses queries that need
    # only the corrupt-record column of a raw JSON or CSV scan).
    raw = raw.persist(StorageLevel.MEMORY_AND_DISK)
    rows = raw.where(F.col(RAW_RECORD).isNull()).drop(RAW_RECORD, SCAN_COLUMN)
    malformed = raw.where(F.col(RAW_RECORD).isNotNull()).select(
        F.col("lake_source_file"),
        F.lit(MALFORMED_REASON).alias("reject_reason"),
        F.col(RAW_RECORD).alias("raw_record"),
    )
    if declared is None and plan["input"]["columns"]:
        # Uploads whose text Spark may have altered: the files of rows holding U+FFFD, '?' or a CR, found in one pass,
        # each then read through in the driver by the check it concerns.
        suspects = suspect_files(plan, rows)
        refuse_unclosed_quotes(s3, raw_bucket, suspects, malformed, raw)
        for check in (without_replaced_bytes, without_lone_surrogates, without_stray_carriage_returns):
            rows, malformed = check(s3, plan, raw_bucket, rows, malformed, suspects)
    rows.createOrReplaceTempView("raw_input")
    return malformed, raw


# What the checks of uploads Spark may have read otherwise than they were written look for in a row (suspect_files).
SUSPECT_TEXTS = {"replaced": "\ufffd", "question": "?", "carriage_return": "\r", "line_feed": "\n"}


def refuse_unclosed_quotes(s3, raw_bucket, suspects, malformed, raw):
    """
    Raises UploadUnreadable for a CSV upload with a quoted field never closed (unclosed_quote), as the local runner
    fails it: Spark's multi-line reader takes the rest of the file as that field (one malformed record, or a row whose
    last value holds the rows after it). Only a file with a value or a malformed record holding a line end is read
    through, in the driver.
    """
    from pyspark.sql import functions as F

    broken = malformed.where(
        (F.instr(F.col("raw_record"), "\n") > 0) | (F.instr(F.col("raw_record"), "\r") > 0)
    ).select("lake_source_file").distinct().collect()
    keys = sorted(
        set(suspects["line_feed"]) | set(suspects["carriage_return"]) | {r["lake_source_file"] for r in broken}
    )
    for key in keys:
        fmt, gz = input_format(key)
        if fmt != "csv":
            continue
        why = unclosed_quote(object_chunks(s3, raw_bucket, key), gz)
        if why:
            raw.unpersist()
            raise UploadUnreadable(key, why)


def holding(plan, text):
    """The condition of a row holding `text` in one of its input columns."""
    from functools import reduce

    from pyspark.sql import functions as F

    names = [c["name"] for c in plan["input"]["columns"]]
    return reduce(lambda a, b: a | b, [F.coalesce(F.instr(F.col(n), text) > 0, F.lit(False)) for n in names])


def suspect_files(plan, rows):
    """{name of SUSPECT_TEXTS: [keys of the files with a row holding it]}, in one pass over the rows."""
    from pyspark.sql import functions as F

    found = (
        rows.groupBy("lake_source_file")
        .agg(*[F.max(holding(plan, text).cast("int")).alias(name) for name, text in SUSPECT_TEXTS.items()])
        .collect()
    )
    return {name: sorted(r["lake_source_file"] for r in found if r[name]) for name in SUSPECT_TEXTS}


def object_chunks(s3, bucket, key):
    """The bytes of an object, streamed in chunks of 8 MiB (a check that reads an upload through in the driver)."""
    return s3.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(chunk_size=8 * 1024 * 1024)


def without_replaced_bytes(s3, plan, raw_bucket, rows, malformed, suspects):
    """
    The rows of CSV uploads that hold U+FFFD where the file's bytes are not UTF-8, moved to the malformed records with
    INVALID_ENCODING_REASON (their raw values as a JSON object by input column name, nulls kept, as a row that fails
    typing writes them). Only a file with a row that holds U+FFFD is read through (utf8_scan), in the driver.
    """
    from pyspark.sql import functions as F

    reasons = {}
    for key in suspects["replaced"]:
        fmt, gz = input_format(key)
        if fmt != "csv":
            continue  # Spark's JSON readers fail such a record (a malformed record); Parquet's strings are binary
        at, written = utf8_scan(object_chunks(s3, raw_bucket, key), gz)
        if at is not None:
            reasons[key] = INVALID_ENCODING_REASON % at + (INVALID_ENCODING_MIXED if written else "")
    if not reasons:
        return rows, malformed
    bad = F.col("lake_source_file").isin(list(reasons)) & holding(plan, SUSPECT_TEXTS["replaced"])
    return moved_to_malformed(plan, rows, malformed, bad, reasons)


def moved_to_malformed(plan, rows, malformed, bad, reasons):
    """
    (rows, malformed) with the rows `bad` selects moved to the malformed records, each with its file's reason
    (reasons: {key: text}) and its raw values as a JSON object by input column name, nulls kept (as a row that fails
    typing writes them).
    """
    from pyspark.sql import functions as F

    reason = F.lit(None).cast("string")
    for key, text in reasons.items():
        reason = F.when(F.col("lake_source_file") == key, F.lit(text)).otherwise(reason)
    raw_columns = plan["rawRecordColumns"]
    rejected = rows.where(bad).select(
        F.col("lake_source_file"),
        reason.alias("reject_reason"),
        F.to_json(F.struct(*[F.col(n).alias(n) for n in raw_columns]), {"ignoreNullFields": "false"}).alias(
            "raw_record"
        ),
    )
    return rows.where(~bad), malformed.unionByName(rejected)


def without_stray_carriage_returns(s3, plan, raw_bucket, rows, malformed, suspects):
    """
    The rows of CSV uploads whose lines do not all end alike (mixed_line_ends) that hold a carriage return, moved to
    the malformed records with the reason: Spark takes the file's first line end for all and keeps another's CR in the
    last value of its line (altered), where the local runner fails such a file (Etl.InvalidInput). Only a file with a
    row holding a CR is read through, in the driver.
    """
    from pyspark.sql import functions as F

    reasons = {}
    for key in suspects["carriage_return"]:
        fmt, gz = input_format(key)
        if fmt != "csv":
            continue
        why = mixed_line_ends(object_chunks(s3, raw_bucket, key), gz)
        if why:
            reasons[key] = "MIXED LINE ENDS: " + why + " (this row holds a carriage return Spark kept in a value)"
    if not reasons:
        return rows, malformed
    held = holding(plan, SUSPECT_TEXTS["carriage_return"])
    return moved_to_malformed(plan, rows, malformed, F.col("lake_source_file").isin(list(reasons)) & held, reasons)


def without_lone_surrogates(s3, plan, raw_bucket, rows, malformed, suspects):
    """
    The rows of JSON uploads whose text held a lone UTF-16 surrogate escape in a column's value, moved to the
    malformed records with LONE_SURROGATE_REASON, as the local runner rejects them (Spark's JSON reader stores each
    lone surrogate as '?': the value would be altered). Only a file with a row holding '?' is read through
    (lone_surrogate_scan), in the driver; its rows whose column equals a value found there (as Spark read it) are
    rejected — every row of it holding '?' in a column when there are more than LONE_SURROGATE_VALUES_MAX.
    """
    from functools import reduce

    from pyspark.sql import functions as F

    by_path = {tuple(c["path"]): c["name"] for c in plan["input"]["columns"]}
    question = holding(plan, SUSPECT_TEXTS["question"])
    bad = None
    reasons = {}
    for key in suspects["question"]:
        fmt, gz = input_format(key)
        if fmt not in ("json", "jsonl"):
            continue
        lines = fmt == "jsonl" or json_layout_of(lambda size: head_bytes(s3, raw_bucket, key, size), gz) == "lines"
        line, values = lone_surrogate_scan(object_chunks(s3, raw_bucket, key), gz, lines)
        if line is None:
            continue
        if not lines:
            # One document, parsed whole in the driver up to LONE_SURROGATE_DOCUMENT_MAX_BYTES of text (as the local
            # runner's JSON fallback reads one); a larger one: every row of it holding '?' in a column.
            chunks = object_chunks(s3, raw_bucket, key)
            pieces, size = [], 0
            for piece in gunzip_members(chunks) if gz else chunks:
                size += len(piece)
                if size > LONE_SURROGATE_DOCUMENT_MAX_BYTES:
                    pieces = None
                    break
                pieces.append(piece)
            values = (
                None if pieces is None else lone_surrogate_document_values(b"".join(pieces).decode("utf-8", "replace"))
            )
        if values is None:
            held = question
        else:
            by_column = {}
            for path, value in values:
                if tuple(path) in by_path:
                    by_column.setdefault(by_path[tuple(path)], []).append(value)
            if not by_column:
                continue  # in no column the table stores (a field it does not read)
            held = reduce(
                lambda a, b: a | b,
                [F.coalesce(F.col(n).isin(vs), F.lit(False)) for n, vs in sorted(by_column.items())],
            )
        reasons[key] = LONE_SURROGATE_REASON % line
        of_file = (F.col("lake_source_file") == key) & held
        bad = of_file if bad is None else bad | of_file
    if bad is None:
        return rows, malformed
    return moved_to_malformed(plan, rows, malformed, bad, reasons)


def existing_rows(spark, s3, plan, curated_bucket, partitions, schema):
    """The table's current rows in the given partitions (an empty frame when none of them exists yet)."""
    root = "s3://%s/%s" % (curated_bucket, plan["prefix"])
    paths = [
        "s3://%s/%s" % (curated_bucket, partition_path(plan, values))
        for values in partitions
        if has_objects(s3, curated_bucket, partition_path(plan, values))
    ]
    if not paths:
        files = spark.createDataFrame([], schema)
    else:
        files = spark.read.schema(schema).option("basePath", root).parquet(*paths)
    # The plan's view of them (a renamed column takes its old column's value where it has none).
    files.select(*[quote_identifier(c) for c in plan["outputColumns"]]).createOrReplaceTempView("lake_existing_files")
    return spark.sql(plan["existingSql"])


def partitions_holding_keys(spark, s3, plan, curated_bucket, incoming, partitions):
    """
    The table's partitions, beside `partitions`, that hold a primary key of an incoming row
    (lib/etl/duckdb-runner/held-keys.ts). A key can be stored under another partition value than its new copy's: an
    event retried across a UTC midnight (occurred_at defaulted to each receipt), a dataset row whose partition date
    changed. They join the merge, so that the table keeps one row per key. Only the key columns are read; a
    one-column key is narrowed to the incoming keys' range first (Parquet's min/max statistics skip the rest).
    """
    from pyspark.sql import functions as F

    taken = {tuple(v) for v in partitions}
    stored_partitions = table_partitions(list_objects(s3, curated_bucket, plan["prefix"]), plan)
    others = [p for p in stored_partitions if tuple(p["values"]) not in taken]
    if not others:
        return []
    keys = [quote_identifier(k) for k in plan["primaryKey"]]
    parts = [quote_identifier(k) for k in plan["partitionKeys"]]
    stored = (
        spark.read.option("basePath", "s3://%s/%s" % (curated_bucket, plan["prefix"]))
        .parquet(*["s3://%s/%s" % (curated_bucket, partition_path(plan, p["values"])) for p in others])
        .select(*keys, *parts)
    )
    wanted = incoming.select(*keys).distinct()
    if len(keys) == 1:
        low, high = wanted.agg(F.min(keys[0]), F.max(keys[0])).first()
        stored = stored.where(F.col(keys[0]).between(low, high))
    held = stored.join(wanted, plan["primaryKey"], "left_semi").select(*parts).distinct().collect()
    return sorted(tuple(r) for r in held)


def check_catalog(database, plan, curated_bucket):
    import boto3

    table = boto3.client("glue").get_table(DatabaseName=database, Name=plan["table"])["Table"]
    problem = catalog_mismatch(table, plan, curated_bucket)
    if problem:
        raise CatalogMismatch(
            "Glue table %s.%s does not match the ETL plan (%s): deploy the plans and the catalog together (a run "
            "that began before a deploy ends this way; the next run, on the new plans, takes what it left)"
            % (database, plan["table"], problem)
        )


def stage_rejected(s3, options, layout, plan, rejected, started_at, n):
    """
    Writes a batch's rejected records as ONE part file in the run's work folder (Spark writes a folder) and returns
    [that file, its place: rejected/table_name=<t>/run_date=<d>/<run_id>-<n>.json] and the folder: swap_in puts it
    in place with the batch's table files, so that a failed batch leaves no rejected records of rows a later run
    takes again.
    """
    bucket = options["curated_bucket"]
    tmp = "%s%srejected-%d/" % (layout["tmpPrefix"], options["work"], n)
    (
        rejected.coalesce(1)
        .write.mode("overwrite")
        .option("ignoreNullFields", "false")
        .json("s3://%s/%s" % (bucket, tmp))
    )
    parts = [k for k in list_keys(s3, bucket, tmp) if k.rsplit("/", 1)[-1].startswith("part-")]
    if len(parts) != 1:
        raise JobError("%s: Spark wrote %d rejected part files, expected one" % (plan["table"], len(parts)))
    run_date = started_at.strftime("%Y-%m-%d")
    key = rejected_object_key(layout, plan["table"], run_date, options["run_id"], n)
    key = free_rejected_key(s3, bucket, key, options["rejected_written"])
    return [parts[0], key], tmp


def free_rejected_key(s3, bucket, key, taken=()):
    """
    `key`, or when a file has it (or this run put one there) <run_id>-<n>-<i>.json with the first free i: the state
    machine runs the job again under the same run id after a failed run, whose batches count from 0 again; the file
    of the run before keeps its name and records (lib/etl/rejected.ts otherRejectedObjectKey, as the local runner).
    """
    candidate, i = key, 0
    while candidate in taken or key_exists(s3, bucket, candidate):
        i += 1
        candidate = "%s-%d.json" % (key[: -len(".json")], i)
    return candidate


def key_exists(s3, bucket, key):
    """Whether an object has this key: listed with it as the prefix, it is the first key (it sorts before longer ones)."""
    contents = s3.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1).get("Contents", [])
    return bool(contents) and contents[0]["Key"] == key


def swap_journal_key(layout, run_id, n):
    return "%s%s-%d.json" % (layout["swapsPrefix"], run_id, n)


def staged_copies(staging, staged_keys, prefix):
    """[staged key, its place]: the part files Spark wrote under `staging`, at the same place under `prefix`."""
    return [
        [key, prefix + key[len(staging) :]]
        for key in sorted(staged_keys)
        if key.startswith(staging) and key.rsplit("/", 1)[-1].startswith("part-")
    ]


# Times a DeleteObjects request is made for keys S3 answered with their own error.
DELETE_ATTEMPTS = 4


def delete_keys(s3, bucket, keys):
    """Deletes objects, 1,000 per request; a key already gone is no error (S3 answers it as deleted)."""
    keys = list(keys)
    for i in range(0, len(keys), 1000):
        chunk = keys[i : i + 1000]
        # A key's own error (InternalError, SlowDown) in a 200 answer is not retried by the SDK: those keys are asked
        # again, DELETE_ATTEMPTS times in all.
        for attempt in range(DELETE_ATTEMPTS):
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
            errors = answer.get("Errors") or []
            if not errors:
                break
            chunk = [e.get("Key") for e in errors]
        else:
            raise JobError(
                "could not delete %d objects, e.g. %s: %s" % (len(errors), errors[0].get("Key"), errors[0].get("Message"))
            )


def swap_in(s3, bucket, journal_key, copies, deletes, staging, outcome=None):
    """
    Puts a batch's staged files (its partitions' new files, its rejected records) in place of the files they replace,
    so that no failure leaves a partition without its rows, as the local runner's swap journal does
    (lib/etl/duckdb-runner/swap-journal.ts). Spark's own overwrite deletes each partition, then copies its new files
    in (a rename on S3): a failure between the two lost the partition's stored rows. Here:
      1. the journal (phase copy) names every copy [staged, place], every file replaced, the staging folders and
         what the batch's inputs came to (its outcome, record_outcome);
      2. each staged file is copied to its place (new names: what it replaces is still there);
      3. the journal says phase delete; 4. the files replaced are deleted; 5. the outcome is recorded;
      6. the journal is deleted, then the staging.
    A failure in 2 is undone by the next run, one in 4 or 5 finished (recover_swaps). Between 2 and 4 a query reads a
    partition's old and new files together.
    """
    journal = {"phase": "copy", "copies": copies, "deletes": sorted(set(deletes)), "staging": list(staging)}
    if outcome:
        journal["outcome"] = outcome
    put_json(s3, bucket, journal_key, journal)
    try:
        for source, target in copies:
            s3.copy({"Bucket": bucket, "Key": source}, bucket, target)
        journal["phase"] = "delete"
        put_json(s3, bucket, journal_key, journal)
        finish_swap(s3, bucket, journal_key, journal)
    except Exception as error:  # noqa: BLE001 - the journal is there: the next run finishes or undoes the swap
        raise SwapFailed("the swap of %s failed (%s): the next run finishes or undoes it" % (journal_key, error)) from error


def finish_swap(s3, bucket, journal_key, journal):
    """Ends a swap whose copies are all in place: the files they replace go, and the batch's outcome is recorded."""
    end_swap(s3, bucket, journal_key, journal, journal["deletes"], journal.get("outcome"))


def undo_swap(s3, bucket, journal_key, journal):
    """Ends a swap whose copies were not all made: those made go, and the partitions are as they were."""
    end_swap(s3, bucket, journal_key, journal, [target for _, target in journal["copies"]])


def end_swap(s3, bucket, journal_key, journal, drop, outcome=None):
    """
    Deletes `drop`, records the outcome, then deletes the journal, then the staging (in that order: until the journal
    goes, a run redoes it).
    """
    delete_keys(s3, bucket, drop)
    record_outcome(s3, bucket, outcome)
    s3.delete_object(Bucket=bucket, Key=journal_key)
    for prefix in journal["staging"]:
        delete_keys(s3, bucket, list_keys(s3, bucket, prefix))


def swap_journal(body, where):
    """A swap journal as swap_in writes it; a damaged one is named (README "Damaged state files")."""
    j = parse_state_json(body, where)

    def texts(v):
        return isinstance(v, list) and all(isinstance(x, str) and x for x in v)

    def outcome(o):
        if not isinstance(o, dict):
            return False
        uploads, manifests = o.get("uploads", []), o.get("manifests", [])
        return (
            isinstance(uploads, list)
            and all(isinstance(u, list) and len(u) == 3 and texts(u[:2]) and isinstance(u[2], dict) for u in uploads)
            and isinstance(manifests, list)
            and all(
                isinstance(m, list)
                and len(m) in (2, 3)
                and texts(m[:1])
                and texts(m[1])
                and (len(m) == 2 or (isinstance(m[2], dict) and all(isinstance(v, str) for v in m[2].values())))
                for m in manifests
            )
        )

    if not (
        isinstance(j, dict)
        and j.get("phase") in ("copy", "delete")
        and isinstance(j.get("copies"), list)
        and all(texts(c) and len(c) == 2 for c in j["copies"])
        and texts(j.get("deletes"))
        and texts(j.get("staging"))
        and ("outcome" not in j or outcome(j["outcome"]))
    ):
        raise JobError('%s is damaged (not a swap journal); README "Damaged state files" says what to do with it' % where)
    return j


def record_outcome(s3, bucket, outcome):
    """
    Records what a batch's inputs came to, as the last step of its swap (lib/etl/duckdb-runner/batch-outcome.ts): each
    upload's result ([result key, pending key, result]) unless one is there, then its pending record deleted; each
    compaction manifest ([key, raw keys]) with the batch's objects added. Recorded apart from the swap, a run that
    stopped between the two had its inputs taken again by the next run: their rows deduplicated to none, but their
    rejected rows recorded a second time. Done again (a swap finished by the next run), it does the same.
    """
    for result_key, pending_key, result in (outcome or {}).get("uploads", []):
        if not key_exists(s3, bucket, result_key):
            put_json(s3, bucket, result_key, result)
        s3.delete_object(Bucket=bucket, Key=pending_key)
    progress = (outcome or {}).get("progress")
    if progress:
        # A replay's or a rebuild's progress: the batch's raw objects added to its done (only the run's own record).
        state = progress_record(s3, bucket, progress["key"])
        if isinstance(state, dict) and state.get("runId") == progress["runId"]:
            done = state.get("done") if isinstance(state.get("done"), list) else []
            if set(progress["done"]) - set(done):
                put_json(s3, bucket, progress["key"], dict(state, done=sorted(set(done) | set(progress["done"]))))
    for entry in (outcome or {}).get("manifests", []):
        key, added, versions = entry[0], entry[1], (entry[2] if len(entry) > 2 else {})
        old = read_manifest(s3, bucket, key)
        if set(added) - set(old["processed"]) or any(old["versions"].get(k) != v for k, v in versions.items()):
            put_json(s3, bucket, key, merged_manifest(old, added, versions))


def manifest_additions(layout, table, keys, versions):
    """
    A batch's raw event objects as the keys to add to each compaction manifest, with the version each was read at
    (versions: object_versions): [[manifest key, keys, {key: version}]], by date.
    """
    by_date = {}
    for key in keys:
        by_date.setdefault(arrival_date(key, layout["arrivalDatePattern"]), []).append(key)
    return [
        [manifest_key(layout, table, date), added, {k: versions[k] for k in added if k in versions}]
        for date, added in sorted(by_date.items())
    ]


def recover_swaps(s3, bucket, layout):
    """
    Before a run: each swap a failed run left (its journal) is finished (phase delete: the new files are all in
    place, the old ones are deleted, and the batch's outcome recorded) or undone (phase copy: the copies made so far
    are deleted, so the partitions are as they were; the batch's inputs were not recorded as taken, so this run takes
    them again). Returns what was done.
    """
    done = []
    for key in sorted(list_keys(s3, bucket, layout["swapsPrefix"])):
        journal = swap_journal(s3.get_object(Bucket=bucket, Key=key)["Body"].read(), "s3://%s/%s" % (bucket, key))
        if journal["phase"] == "delete":
            finish_swap(s3, bucket, key, journal)
            done.append({"journal": key, "finished": True, "deleted": len(journal["deletes"])})
        else:
            undo_swap(s3, bucket, key, journal)
            done.append({"journal": key, "finished": False, "undone": len(journal["copies"])})
        print(json.dumps({"warning": "a swap that a failed run left was finished or undone", **done[-1]}))
    return done


def run_plan(
    spark,
    s3,
    options,
    layouts,
    plan,
    keys,
    started_at,
    declared=None,
    reload=False,
    rewrite=(),
    conflicts_too=False,
    after_read=None,
    outcome=None,
    recorded=(),
):
    """
    Runs one table's plan over raw objects (uploads, or raw event objects of the declared format) as one batch; writes
    the table and the rejected records; returns the table's figures (with all_partitions, for add_figures) and, for
    datasets, each input object's share (source_figures). reload: raw objects read again (replay, rebuild), merged by
    reloadMergeSql; rewrite: partition values to rewrite from their rows even if no input row goes there; after_read:
    called once every input row is read (typed is cached), before anything is written: it may refuse the batch;
    outcome(figures, sources): what the batch's inputs came to, recorded with its swap (record_outcome). recorded:
    [source_file, event id] of copies recorded as event id conflicts already (a replay's), not recorded again: the
    conflicts SQL reads them as lake_recorded_conflicts (lib/etl/event-conflicts.ts RECORDED_CONFLICTS).
    """
    from pyspark import StorageLevel

    if options["database"]:
        check_catalog(options["database"], plan, options["curated_bucket"])
    n = next_batch(options)
    malformed, raw = read_raw_input(spark, s3, plan, options["raw_bucket"], keys, iso_utc(started_at), declared)
    malformed.createOrReplaceTempView("lake_malformed")
    row = run_row(options, started_at)
    spark.createDataFrame([(row["run_id"], row["rejected_at"])], "run_id string, rejected_at string").createOrReplaceTempView(
        "lake_run"
    )
    spark.createDataFrame(
        [(source, event_id) for source, event_id in recorded], "source_file string, event_id string"
    ).createOrReplaceTempView("lake_recorded_conflicts")

    typed = spark.sql(plan["typedSql"]).persist(StorageLevel.MEMORY_AND_DISK)
    typed.createOrReplaceTempView("typed")
    malformed_count = malformed.count()
    rows_read = typed.count() + malformed_count
    if after_read:
        try:
            after_read()
        except Exception:
            typed.unpersist()
            raw.unpersist()
            raise

    # One record per row that failed typing or did not parse (lib/etl/rejected.ts), and per incoming copy of an event
    # id with other data than the row the merge keeps (conflicts, below): staged, and put in place with the table.
    rejected = spark.sql(rejected_records_sql(plan, layouts))
    rows_rejected = typed.where("reject_reason IS NOT NULL").count() + malformed_count
    # Raw objects read again (replay, rebuild) that a compaction took had their conflicting copies recorded then;
    # those none took yet (conflicts_too: a rebuild's, all after the curated zone is lost) have them recorded now.
    conflicts = None if reload and not conflicts_too else conflict_sql(plan, layouts)
    rejected_location = None

    bucket = options["curated_bucket"]
    # What the batch puts in place, as one swap (swap_in): [staged, place], the files replaced, the staging folders.
    copies, replaced, staging = [], [], []

    def stage_rejected_records(records, count):
        if not count:
            return None
        pair, folder = stage_rejected(s3, options, layouts, plan, records, started_at, n)
        copies.append(pair)
        staging.append(folder)
        return rejected_prefix(layouts, plan["table"], started_at.strftime("%Y-%m-%d"))

    incoming = spark.sql("SELECT * FROM typed WHERE reject_reason IS NULL")
    incoming.createOrReplaceTempView("incoming")
    output = [quote_identifier(c) for c in plan["outputColumns"]]
    schema = incoming.select(*output).schema
    incoming_partitions = [tuple(r) for r in incoming.select(*plan["partitionKeys"]).distinct().collect()]
    if any(v is None for values in incoming_partitions for v in values):
        raise JobError("%s: a row without a partition value was not rejected" % plan["table"])
    partitions = incoming_partitions + [tuple(v) for v in rewrite if tuple(v) not in incoming_partitions]
    # Partitions that hold a key of an incoming row under another partition value join the merge.
    held = (
        partitions_holding_keys(spark, s3, plan, options["curated_bucket"], incoming, partitions)
        if incoming_partitions
        else []
    )
    partitions += held

    existing_count = merged_count = 0
    written = []
    emptied = []
    sources = None
    if partitions:
        existing = existing_rows(spark, s3, plan, options["curated_bucket"], partitions, schema)
        existing = existing.persist(StorageLevel.MEMORY_AND_DISK)
        existing.createOrReplaceTempView("existing")
        existing_count = existing.count()
        if reload:
            upload_order_view(spark, s3, options, layouts, plan)
        merged = spark.sql(plan["reloadMergeSql"] if reload else plan["mergeSql"]).persist(StorageLevel.MEMORY_AND_DISK)
        merged_count = merged.count()
        if conflicts:
            merged.createOrReplaceTempView("lake_merged")
            conflict_count = spark.sql(conflicts[0]).collect()[0]["n"]
            if conflict_count:
                records = spark.sql(conflicts[1])
                if records.count() != conflict_count:
                    raise JobError("%s: %d copies of an id with other data, but %d records of them"
                                   % (plan["table"], conflict_count, records.count()))
                rejected = rejected.unionByName(records)
                rows_rejected += conflict_count
        rejected_location = stage_rejected_records(rejected, rows_rejected)
        # The partitions the merged rows are in (a partition only to rewrite that holds no rows is left as it is),
        # and those of the incoming rows or held ones the merge left without rows (their keys' kept copies are in
        # other partitions), emptied below: a dynamic overwrite only replaces the partitions it writes rows to.
        kept_in = [tuple(r) for r in merged.select(*plan["partitionKeys"]).distinct().collect()]
        stored = held + [
            v
            for v in incoming_partitions
            if v not in kept_in and has_objects(s3, options["curated_bucket"], partition_path(plan, v))
        ]
        written, emptied = partitions_written(incoming_partitions, held, kept_in, stored)
        if "lake_source_file" in plan["outputColumns"]:
            sources = source_figures(typed, malformed, existing, merged, plan)
        # Written to the run's work folder, then swapped in: the files of every partition written (the merged rows'
        # and those emptied) are replaced by the staged ones, never deleted before those are in place.
        table_staging = "%s%stable-%d/" % (layouts["tmpPrefix"], options["work"], n)
        (
            merged.repartition(*plan["partitionKeys"])
            .sortWithinPartitions(*plan["partitionKeys"], *plan["primaryKey"])
            .write.mode("overwrite")
            .partitionBy(*plan["partitionKeys"])
            .option("compression", "zstd")
            .parquet("s3://%s/%s" % (bucket, table_staging))
        )
        staging.append(table_staging)
        copies.extend(staged_copies(table_staging, list_keys(s3, bucket, table_staging), plan["prefix"]))
        for values in written:
            replaced.extend(list_keys(s3, bucket, partition_path(plan, values)))
        merged.unpersist()
        existing.unpersist()
    raw.unpersist()

    if not partitions:
        # Nothing to merge (every row rejected): only the rejected records.
        rejected_location = stage_rejected_records(rejected, rows_rejected)
    if sources is None and "lake_source_file" in plan["outputColumns"]:
        # Nothing was merged (every row rejected): each file's reads and rejections still count.
        sources = source_figures(typed, malformed, None, None, plan)
    typed.unpersist()
    names = [partition_name(plan, values) for values in written]
    figures = table_figures(
        plan, rows_read, rows_rejected, existing_count, merged_count, names, rejected_location, layouts
    )
    figures["all_partitions"] = sorted(set(names))
    # What the batch's inputs came to: recorded as the swap's last step, or at once when there is nothing to swap.
    done = outcome(figures, sources) if outcome else None
    if copies or replaced:
        swap_in(s3, bucket, swap_journal_key(layouts, options["run_id"], n), copies, replaced, staging, done)
    else:
        record_outcome(s3, bucket, done)
    options["rejected_written"].extend(place for staged, place in copies if place.startswith(layouts["rejectedPrefix"]))
    return figures, sources


def source_figures(typed, malformed, existing, merged, plan):
    """
    Each input object's share of a run of a plan (tables with lake_source_file: datasets): rows read and rejected
    (typed rows by their raw key, and records that did not parse), rows written (its rows the merge kept whose key
    the table did not have: the run's new keys, as the table's rowsWritten counts them — a row that replaced a stored
    one, whichever file stored it, is a duplicate) and the partitions its rows went to. {key: figures}.
    """
    from pyspark.sql import functions as F

    out = {}

    def of(key):
        return out.setdefault(key, {"rowsRead": 0, "rowsRejected": 0, "rowsWritten": 0, "partitions": []})

    read = typed.groupBy("raw_lake_source_file").agg(
        F.count(F.lit(1)).alias("n"), F.count("reject_reason").alias("r")
    )
    for row in read.collect():
        of(row["raw_lake_source_file"])["rowsRead"] += row["n"]
        of(row["raw_lake_source_file"])["rowsRejected"] += row["r"]
    for row in malformed.groupBy("lake_source_file").count().collect():
        of(row["lake_source_file"])["rowsRead"] += row["count"]
        of(row["lake_source_file"])["rowsRejected"] += row["count"]
    if merged is not None:
        key = plan["primaryKey"]
        new_keys = merged.join(existing.select(*key).distinct(), key, "left_anti")
        for row in new_keys.groupBy("lake_source_file").count().collect():
            of(row["lake_source_file"])["rowsWritten"] += row["count"]
        name = F.concat_ws("/", *[F.concat(F.lit(k + "="), F.col(k)) for k in plan["partitionKeys"]])
        parts = merged.groupBy("lake_source_file").agg(F.collect_set(name).alias("p"))
        for row in parts.collect():
            of(row["lake_source_file"])["partitions"] = sorted(row["p"])
    return out


def head_object(s3, bucket, key):
    """
    The object's metadata with its checksum (full_object_checksum; for an SSE-KMS object that needs kms:Decrypt, which
    the role has), or None when there is none (the Glue role may list the raw bucket: 404, not 403).
    """
    from botocore.exceptions import ClientError

    try:
        return s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


CHECKSUM_ALGORITHMS = ("CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256")


def full_object_checksum(head):
    """
    "<algorithm>:<base64>" of the whole object from a head_object answer (lib/objects/s3.ts fullObjectChecksum, the
    form validateUpload records), or None: none kept, or a multipart upload's composite (its value ends in -<parts>).
    """
    if not head:
        return None
    # A botocore older than CRC64NVME (Glue's bundled one may be) does not parse its header, nor ChecksumType: the
    # raw response headers have them (lower-case names).
    headers = (head.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
    if (head.get("ChecksumType") or headers.get("x-amz-checksum-type")) == "COMPOSITE":
        return None
    for algorithm in CHECKSUM_ALGORITHMS:
        value = head.get("Checksum" + algorithm) or headers.get("x-amz-checksum-" + algorithm.lower())
        if isinstance(value, str) and value and not re.search(r"-\d+$", value):
            return "%s:%s" % (algorithm, value)
    return None


def replaced_since_accepted(record, head):
    """
    Why the upload's object is no longer the version that was accepted (another was written under its key since: it
    has its own execution), or None: its version id, or else its ETag, differs from the accepted one's. A new version
    with the accepted one's ETag (the same bytes written again, as a retried copy does) is that content, loaded, as
    the local runner takes a new version id with the accepted content (lib/etl/duckdb-runner/uploads.ts). Where the
    ETag is no MD5 of the bytes (SSE-KMS, a multipart upload) the whole-object checksum validateUpload recorded tells
    the same bytes (with the same size).
    """
    if not head:
        return None
    accepted = record.get("versionId")
    now = head.get("VersionId")
    same_etag = bool(record.get("etag") and head.get("ETag")) and record["etag"].strip('"') == head["ETag"].strip('"')
    same_checksum = (
        bool(record.get("checksum"))
        and record["checksum"] == full_object_checksum(head)
        and record.get("size") == head.get("ContentLength")
    )
    if same_checksum:
        return None
    if accepted and now:
        if accepted == now or same_etag:
            return None
        current = now
    elif record.get("etag") and head.get("ETag") and record["etag"].strip('"') != head["ETag"].strip('"'):
        current = head["ETag"].strip('"')
    else:
        return None
    return (
        "input %r was replaced after it was accepted (accepted version %s, now %s): this version is no longer there "
        "to load; the file now under that name has an execution of its own"
        % (record["key"], accepted or record.get("etag"), current)
    )


def take_uploads(spark, s3, options, plans_file, started_at):
    """
    Takes every pending upload (lib/etl/upload-queue.ts): groups them by table, runs each table's plan over its
    files, writes each upload's result, then deletes its pending record. A table that fails fails its own uploads;
    an upload whose file is gone fails alone. Returns (keys read, table figures, {taken, succeeded, failed}).
    """
    layout = plans_file["layout"]
    bucket = options["curated_bucket"]
    counts = {"taken": 0, "succeeded": 0, "failed": 0}

    def has_result(execution):
        # Whether the result is there (a damaged one too: the local runner asks only that).
        key = upload_result_key(layout, execution)
        return key in list_keys(s3, bucket, key)

    def noted(result):
        # An outcome recorded: counted (a batch's successes are recorded with its swap, record_outcome).
        counts["succeeded" if result["status"] == "SUCCEEDED" else "failed"] += 1

    def outcome_of(result):
        # An upload's outcome as record_outcome records it: its result, then its pending record deleted.
        return [upload_result_key(layout, result["execution"]), pending_upload_key(layout, result["execution"]), result]

    def finish(record, result):
        record_outcome(s3, bucket, {"uploads": [outcome_of(result)]})
        noted(result)

    records = []
    for key in list_keys(s3, bucket, layout["pendingUploadsPrefix"]):
        record = get_queue_record(s3, bucket, key)
        name = key[len(layout["pendingUploadsPrefix"]) :]
        if not isinstance(record, dict) or "%s.json" % record.get("execution") != name or "key" not in record:
            print(json.dumps({"warning": "a pending upload record is unreadable: left in place", "record": key}))
            continue
        if accepted_after(record, started_at):
            # Accepted after the run read its plans: its dataset's schema may have changed since, and these plans
            # would load the file without its new columns. The next run, which reads the plans again, takes it.
            continue
        records.append(dict(record, keys=[record["key"]]))
    own = own_pending(options, records, has_result(options["run_id"]), iso_utc(started_at))
    if own:
        records.append(own)

    by_table = {}
    for record in queue_order(records):
        if has_result(record["execution"]):
            # Taken by a run that recorded its outcome and stopped before deleting the record.
            s3.delete_object(Bucket=bucket, Key=pending_upload_key(layout, record["execution"]))
            continue
        counts["taken"] += 1
        plan = plans_file["tables"].get(record["table"])
        now = iso_utc(datetime.now(timezone.utc))
        if record.get("attempts", 0) >= layout["maxUploadAttempts"]:
            finish(record, upload_failure(options, record, "Etl.UploadGivenUp", GIVEN_UP % layout["maxUploadAttempts"], plan, now))
            continue
        if plan is None or plan["kind"] != "dataset":
            finish(record, upload_failure(options, record, "Etl.TableFailed", "there is no dataset %r" % record["table"], plan, now))
            continue
        by_table.setdefault(record["table"], []).append(record)

    inputs, tables = [], []
    raw_bucket = options["raw_bucket"]
    counted = set()

    def counting_attempt(record, check):
        """
        check(record), an upload's own check before its batch; an error that is not the file's answer (S3 refusing
        the read, a throttle past the SDK's retries) fails the run and counts the upload's attempt, so that one that
        fails every run is given up at last.
        """
        try:
            return check(record)
        except Exception:
            count_attempt(record)
            raise

    def count_attempt(record):
        """
        An upload's attempt, counted once per run as its batch starts (not as the run takes the queue: a run that ends
        before it reaches an upload, a backlog longer than the job's timeout or a crash on another file, is none of
        its attempts), as lib/etl/duckdb-runner/uploads.ts counts it.
        """
        if record["execution"] in counted or record["execution"] == (own or {}).get("execution"):
            return
        counted.add(record["execution"])
        record["attempts"] = record.get("attempts", 0) + 1
        stored = {k: v for k, v in record.items() if k != "keys"}
        put_json(s3, bucket, pending_upload_key(layout, record["execution"]), stored)

    def stamp():
        return iso_utc(datetime.now(timezone.utc))

    def upload_there(record):
        """
        (the heads of an upload's keys, why its accepted version is not there to load — a key gone, or the upload's
        object replaced since — or None): before its batch runs, and again once Spark has read it.
        """
        heads = {k: head_object(s3, raw_bucket, k) for k in record["keys"]}
        missing = [k for k in record["keys"] if heads[k] is None]
        if missing:
            return heads, (
                "input %r does not exist in the raw bucket: the file was moved or deleted after it was accepted"
                % missing[0]
            )
        return heads, replaced_since_accepted(record, heads.get(record["key"]))

    for table, records in sorted(by_table.items()):
        plan = plans_file["tables"][table]

        def fail_alone(batch, bad, error, reason, plan=plan):
            """The uploads `bad` of a batch fail with `error` (their own outcome); the rest of the batch runs again."""
            for r in bad:
                finish(r, upload_failure(options, r, error, reason, plan, stamp()))
            rest = [r for r in batch if r not in bad]
            if rest:
                run_uploads(rest)

        def run_uploads(batch, plan=plan, table=table):
            """
            Runs a batch of uploads as lib/etl/duckdb-runner/uploads.ts does: what fails, fails alone. An upload whose
            file was replaced after its check, before or while Spark read it (Spark reads what is under the key then),
            fails, and the rest of the batch runs again without it (nothing of that read is written); a batch that
            fails otherwise runs again upload by upload.
            """
            for r in batch:
                count_attempt(r)
            keys = sorted({k for r in batch for k in r["keys"]})

            def after_read():
                for r in batch:
                    _, why = upload_there(r)
                    if why:
                        raise UploadNotThere(r["execution"], why)

            succeeded = []

            def outcome(figures, sources):
                # Each upload's result, recorded with the batch's swap.
                for r in batch:
                    shares = [sources[k] for k in r["keys"] if sources and k in sources]
                    succeeded.append(
                        upload_success(options, r, plan, shares, figures.get("rejectedLocation"), layout, stamp())
                    )
                return {"uploads": [outcome_of(x) for x in succeeded]}

            try:
                figures, _ = run_plan(
                    spark, s3, options, layout, plan, keys, started_at, after_read=after_read, outcome=outcome
                )
            except (CatalogMismatch, SwapFailed):
                raise
            except UploadNotThere as gone:
                fail_alone(batch, [r for r in batch if r["execution"] == gone.execution], "Etl.InputMissing", gone.reason)
                return
            except UploadUnreadable as unreadable:
                # Its own upload fails (Etl.InvalidInput, as the local runner's), the rest of the batch runs again.
                fail_alone(batch, [r for r in batch if unreadable.key in r["keys"]], "Etl.InvalidInput", unreadable.reason)
                return
            except Exception as error:  # noqa: BLE001 - an upload's failure is its outcome; the others go on
                if len(batch) > 1:
                    for r in batch:
                        run_uploads([r])
                    return
                finish(batch[0], upload_failure(options, batch[0], "Etl.TableFailed", "%s: %s" % (table, error), plan, stamp()))
                return
            tables.append(figures)
            inputs.extend(keys)
            for result in succeeded:
                noted(result)

        ready = []
        for record in records:
            heads, why = counting_attempt(record, upload_there)
            if why:
                finish(record, upload_failure(options, record, "Etl.InputMissing", why, plan, stamp()))
            else:
                ready.append([record, sum(heads[k].get("ContentLength", 0) for k in record["keys"])])
        # Batches of BATCH_BYTES in queue order, each upload's result written once its batch is in (a thousand files
        # dropped at once were one batch, which could outrun the job's timeout at every run and give them all up).
        # An upload an earlier run took without an outcome runs in a batch of its own: it may be what ended that run
        # (a crash, the job's timeout), and must not take others with it.
        for batch in size_batches(ready, BATCH_BYTES, alone=lambda record: record.get("attempts", 0) > 0):
            readable = []
            for record in batch:
                # Checked batch by batch, just before it runs (a backlog is not read whole first): a file of no
                # format the ETL reads, or a gzip stream cut short (which fails Spark's whole read, EOFException),
                # fails its own upload, as the local runner's check does (lib/etl/duckdb-runner/gzip-check.ts).
                problem = counting_attempt(record, lambda r: unreadable_upload(s3, raw_bucket, r["keys"]))
                if problem:
                    finish(record, upload_failure(options, record, "Etl.InvalidInput", problem, plan, stamp()))
                else:
                    readable.append(record)
            if readable:
                run_uploads(readable)
    return inputs, tables, counts


def run_events(spark, s3, options, plans_file, started_at):
    """
    Compacts the pending streamed events of every event table (mode 'events' with --table: that one only): (keys
    read, the tables' figures, how many objects were delivered after the run read its plans and left to the next).
    """
    layout = plans_file["layout"]
    declared = raw_events_format(layout)
    inputs, tables, later = [], [], []
    names = sorted(plans_file["events"])
    if options["mode"] == "events" and options.get("table"):
        if options["table"] not in plans_file["events"]:
            raise JobError("no event table %r (event tables: %s)" % (options["table"], ", ".join(names)))
        names = [options["table"]]
    pattern = layout["arrivalDatePattern"]
    for table in names:
        plan = plans_file["tables"][table]
        # Objects delivered after the run read its plans may hold events accepted under a schema changed since,
        # which these plans would read without their new fields: left to the next run (the local runner the same).
        objects = list_objects(
            s3, options["raw_bucket"], plans_file["events"][table]["rawPrefix"], written_by=started_at, later=later
        )
        keys = [k for k, _ in objects]
        versions = object_versions(objects)
        warn_misnamed(table, keys, layout)
        dates = {arrival_date(k, pattern) for k in delivery_keys(keys, layout)} - {None}
        manifests = {d: read_manifest(s3, options["curated_bucket"], manifest_key(layout, table, d)) for d in dates}
        processed = {d: compacted_keys(m, versions) for d, m in manifests.items()}
        wanted = {k for group in pending_by_date(keys, processed, layout).values() for k in group}
        # Arrival order within a day, days in order, as the local runner takes them.
        todo = sorted(([k, n] for k, n in objects if k in wanted), key=lambda o: (arrival_date(o[0], pattern), o[0]))

        def record(batch, table=table, versions=versions):
            # With the batch's swap, once its rows are in the table: a failure before re-runs its keys (deduplicated);
            # the batches before stay recorded, so a backlog too large for one run is compacted over runs.
            return {"manifests": manifest_additions(layout, table, batch, versions)}

        done, total = run_batches(
            spark,
            s3,
            options,
            layout,
            plan,
            todo,
            started_at,
            declared,
            outcome_of=record,
            reload=False,
            warning="a raw event object that cannot be read as rows is skipped; it stays pending",
        )
        tables.append(total if total is not None else table_figures(plan, 0, 0, 0, 0, [], None, layout))
        inputs.extend(done)
    return inputs, tables, len(later)


def list_objects(s3, bucket, prefix, etags=False, written_by=None, later=None):
    """
    [key, size] (with etags: [key, size, etag]) of every object under a prefix (folder markers left out); with
    written_by (a datetime), only those written (LastModified) by then, the keys of those written after it appended
    to later (a list) when given.
    """
    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            if o["Key"].endswith("/"):
                continue
            if written_by is None or o["LastModified"] <= written_by:
                objects.append([o["Key"], o["Size"]] + ([o.get("ETag", "").strip('"')] if etags else []))
            elif later is not None:
                later.append(o["Key"])
    return objects


def rejected_sources(spark, bucket, keys):
    """
    The distinct source_file keys of rejected files (only those fields are parsed), sorted, each with the runs that
    rejected its rows: [[key, [run ids]]]; records of copies rejected for their event id left out (replayable).
    """
    if not keys:
        return []
    df = spark.read.schema("run_id string, source_file string, reason string").json(
        ["s3://%s/%s" % (bucket, k) for k in keys]
    )
    rows = df.select("source_file", "run_id", "reason").distinct().collect()
    pairs = [[r["source_file"], r["run_id"]] for r in rows if replayable(r["reason"])]
    return [[key, sorted({run for s, run in pairs if s == key and isinstance(run, str)})] for key in replay_sources(s for s, _ in pairs)]


def recorded_conflict_pairs(rows, sources, key):
    """
    The copies recorded as event id conflicts (rows of [source_file, reason, raw_record]) whose source object is one
    of `sources`, as [source_file, event id] (`key`: the id's name in raw_record), each once
    (lib/etl/duckdb-runner/recorded-conflicts.ts): a replay that reads their object again does not record them again.
    """
    found = {}
    for source, reason, raw in rows:
        if reason != ID_CONFLICT_REASON or source not in sources or not isinstance(raw, str):
            continue
        try:
            event_id = json.loads(raw).get(key)
        except (ValueError, AttributeError):
            continue
        if isinstance(event_id, str):
            found[(source, event_id)] = [source, event_id]
    return sorted(found.values())


def recorded_conflicts(spark, bucket, keys, sources, key):
    """recorded_conflict_pairs of the rejected files `keys` (all of the table's: an earlier replay took some)."""
    if not keys or not sources:
        return []
    from pyspark.sql import functions as F

    df = spark.read.schema("source_file string, reason string, raw_record string").json(
        ["s3://%s/%s" % (bucket, k) for k in keys]
    )
    rows = (
        df.where((F.col("reason") == ID_CONFLICT_REASON) & F.col("source_file").isin(sorted(sources)))
        .select("source_file", "reason", "raw_record")
        .collect()
    )
    return recorded_conflict_pairs([[r["source_file"], r["reason"], r["raw_record"]] for r in rows], sources, key)


def gzip_problem(read, chunk=64 * 1024):
    """
    Why a gzip stream is not whole (cut short, corrupt, bytes after its last member such as zero padding), or None;
    read(n) gives its next bytes (b"" at its end). A stream cut short fails Spark's whole read (java.io.EOFException)
    where the local runner skips the file (lib/etl/duckdb-runner/gzip-check.ts): a replay or rebuild skips it here
    too, as its own upload failed.
    """
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        while True:
            data = read(chunk)
            if not data:
                break
            while data:  # members one after another, as gzip readers take them
                if d.eof:
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                d.decompress(data)
                data = d.unused_data if d.eof else b""
    except zlib.error as e:
        return "not a complete gzip stream (%s): its rows cannot all be read" % e
    if not d.eof:
        return "not a complete gzip stream (it ends before its last member does): its rows cannot all be read"
    return None


def run_batches(
    spark,
    s3,
    options,
    layout,
    plan,
    objects,
    started_at,
    declared,
    outcome_of=None,
    skipped=None,
    conflicts_too=False,
    reload=True,
    warning="a raw object that cannot be read as rows is skipped (its own run failed it too)",
    recorded=(),
):
    """
    Runs [key, size] objects through a plan in batches of BATCH_BYTES (reload: reloadMergeSql, else mergeSql):
    (keys, figures). outcome_of(keys): what a batch of them came to, recorded with its swap (run_plan). A gzip object
    that is not whole is left out, named in a warning (the local runner's text: `warning`) and added to skipped:
    Spark would fail the whole run on it, every run. recorded: copies recorded as conflicts already (run_plan).
    """
    total, inputs = None, []

    def skip(key, **why):
        # Named in a warning (the local runner's text) and listed as skipped.
        print(json.dumps({"warning": warning, "table": plan.get("table"), "key": key, **why}))
        if skipped is not None:
            skipped.append(key)

    # Checked batch by batch, just before it runs: a backlog is not read whole before its first batch is recorded.
    for batch in size_batches(objects, BATCH_BYTES):
        keys = []
        for key in batch:
            gz = declared[1] if declared is not None else input_format(key)[1]
            problem = gzip_problem(s3.get_object(Bucket=options["raw_bucket"], Key=key)["Body"].read) if gz else None
            if problem is None:
                keys.append(key)
                continue
            skip(key, problem=problem)
        figures = None
        while keys:
            try:
                figures, _ = run_plan(
                    spark,
                    s3,
                    options,
                    layout,
                    plan,
                    keys,
                    started_at,
                    declared,
                    reload=reload,
                    conflicts_too=conflicts_too,
                    outcome=(lambda _f, _s, keys=keys: outcome_of(keys)) if outcome_of else None,
                    recorded=recorded,
                )
                break
            except UploadUnreadable as unreadable:
                # A file that does not read as rows (a quote never closed) is skipped, named, and the batch read
                # again without it (lib/etl/duckdb-runner/reload.ts runReadable): nothing of that read was written.
                skip(unreadable.key, reason=unreadable.reason)
                keys = [k for k in keys if k != unreadable.key]
        if not keys:
            continue
        total = add_figures(total, figures)
        inputs.extend(keys)
    return inputs, total


def compacted_split(objects, manifests, layout):
    """
    [key, size] objects as (those a compaction manifest lists at their version now, the others)
    (lib/etl/duckdb-runner/events.ts compactedObjects).
    """
    versions = object_versions(objects)
    compacted = {d: compacted_keys(m, versions) for d, m in manifests.items()}

    def listed(key):
        return key in compacted.get(arrival_date(key, layout["arrivalDatePattern"]), set())

    return [o for o in objects if listed(o[0])], [o for o in objects if not listed(o[0])]


def run_replay(spark, s3, options, plans_file, started_at):
    """Mode 'replay' (lib/etl/duckdb-runner/replay.ts): (keys read, the table's figures, ReplaySummary)."""
    layout = plans_file["layout"]
    table = options["table"]
    plan = plans_file["tables"][table]
    bucket = options["curated_bucket"]
    state = get_json(s3, bucket, replayed_key(layout, table), {})
    prefix = rejected_table_prefix(layout, table)
    listed = list_keys(s3, bucket, prefix)
    # This replay run again (its job run died, a timeout): the files it took, the objects whose batches are in.
    progress_key = replaying_key(layout, table)
    progress, done, progressed = open_progress(
        s3,
        bucket,
        progress_key,
        options["run_id"],
        lambda: {
            "runId": options["run_id"],
            "taken": replay_taken(prefix, listed, state, options["rejected_written"]),
            "done": [],
        },
        lambda found: isinstance(found.get("taken"), list),
    )
    # A file taken that is gone since (moved aside as damaged) is no longer read.
    listed_now = set(listed)
    taken = [k for k in progress["taken"] if k in listed_now]
    present, missing = [], []
    # An upload replaced since its rows were rejected is reported with the missing ones (runs_replaced_since).
    records = [] if plan["kind"] == "events" else queue_records(s3, bucket, layout)
    know_upload_orders(records, table)
    sources = rejected_sources(spark, bucket, taken)
    resumed_note(table, options["run_id"], done, [k for k, _ in sources])
    reads = {}
    for key, runs in sources:
        if key in done:
            continue
        head = head_object(s3, options["raw_bucket"], key)
        # Rows of a run that read other content are gone with it: the upload is listed; it is read again only for
        # the runs that read what it holds now (replaced by content with rejected rows of its own).
        replaced = (
            [] if head is None else runs_replaced_since(records, key, runs, head.get("ETag"), replay_reads(state))
        )
        if head is None or replaced:
            missing.append(key)
        if head is not None and not (replaced and len(replaced) == len(set(runs))):
            present.append([key, head["ContentLength"]])
            if plan["kind"] != "events" and isinstance(head.get("ETag"), str):
                # The content this run reads: the rows it rejects again come from it (replayed_state).
                reads[key] = head["ETag"].strip('"')
    # What this run reads, recorded before any batch (with what an attempt of it that died read): a replay that dies
    # or fails after some of its batches has said which content their rows came from (replay.ts).
    earlier = replay_reads(state).get(options["run_id"])
    run_reads = dict(earlier if isinstance(earlier, dict) else {}, **reads)
    if reads:
        put_json(s3, bucket, replayed_key(layout, table), replayed_state(state, [], options["run_id"], run_reads))
    declared = raw_events_format(layout) if plan["kind"] == "events" else None
    # A copy of an event id that now parses but says another thing than the stored row is recorded with that reason
    # (conflicts_too): rows that still fail go to this run's rejected file with their current reason.
    # (One recorded so already, in any rejected file of the table, is not recorded again: recorded_conflicts.)
    recorded = (
        recorded_conflicts(
            spark,
            bucket,
            [k for k in listed if k.endswith(".json") and not hidden(k[len(prefix):])],
            {k for k, _ in present},
            plan["primaryKey"][0],
        )
        if plan["kind"] == "events"
        else []
    )
    # An object that no longer reads as rows (a gzip stream cut short) is reported with the missing ones: its rows
    # cannot come back from it (replay.ts).
    unreadable = []
    inputs, total = run_batches(
        spark, s3, options, layout, plan, present, started_at, declared, progressed, skipped=unreadable,
        conflicts_too=True, recorded=recorded,
    )
    present = [p for p in present if p[0] not in unreadable]
    missing += unreadable
    if taken:
        # Only now that the rows are in: a crash before runs the replay again, which reads what it had not done.
        put_json(s3, bucket, replayed_key(layout, table), replayed_state(state, taken, options["run_id"], run_reads))
    s3.delete_object(Bucket=bucket, Key=progress_key)
    total = total or add_figures(None, table_figures(plan, 0, 0, 0, 0, [], None, layout))
    summary = replay_summary(table, taken, present, missing, finished_figures(total, layout), layout)
    return inputs, total, summary


def run_rebuild(spark, s3, options, plans_file, started_at):
    """Mode 'rebuild' (lib/etl/duckdb-runner/rebuild.ts): (keys read, the table's figures, RebuildSummary)."""
    layout = plans_file["layout"]
    table = options["table"]
    plan = plans_file["tables"][table]
    curated = options["curated_bucket"]
    # This rebuild run again (its job run died, a timeout): the objects whose batches are in are not read again.
    progress_key = rebuilding_key(layout, table)
    _, done, progressed = open_progress(
        s3, curated, progress_key, options["run_id"], lambda: {"runId": options["run_id"], "done": []}
    )
    if plan["kind"] == "events":
        prefix = plans_file["events"][table]["rawPrefix"]
        listed = list_objects(s3, options["raw_bucket"], prefix)
        versions = object_versions(listed)
        delivered = {k for k, _ in list_objects(s3, options["raw_bucket"], prefix, written_by=started_at)}
        objects, skipped = rebuild_events(listed, prefix, layout)
        # One delivered after the run read its plans is left to the next compaction (run_events says why), and listed
        # as skipped, as the local runner lists it (rebuild.ts).
        late = [o[0] for o in objects if o[0] not in delivered]
        objects = [o for o in objects if o[0] in delivered]
        skipped = sorted(skipped + late)
        dates = {arrival_date(k, layout["arrivalDatePattern"]) for k, _ in objects}
        manifests = {d: read_manifest(s3, curated, manifest_key(layout, table, d)) for d in dates}

        def record(keys):
            # The compaction manifests then list every object (nothing is left pending for the compaction).
            return dict(progressed(keys), manifests=manifest_additions(layout, table, keys, versions))

        # The objects a compaction took first, then those none took yet, whose conflicting copies are recorded.
        resumed_note(table, options["run_id"], done, [k for k, _ in objects])
        before, fresh = compacted_split([o for o in objects if o[0] not in done], manifests, layout)
        inputs, total = run_batches(
            spark, s3, options, layout, plan, before, started_at, raw_events_format(layout), record, skipped
        )
        more, fresh_total = run_batches(
            spark, s3, options, layout, plan, fresh, started_at, raw_events_format(layout), record, skipped, True
        )
        inputs += more
        if fresh_total:
            total = add_figures(total, fresh_total)
    else:
        uploads = "%s%s/" % (layout["uploads"]["prefix"], table)
        records = queue_records(s3, curated, layout)
        know_upload_orders(records, table)
        accepted = accepted_uploads(records, table)
        if not accepted:
            print(json.dumps({"warning": "rebuild: no record of accepted uploads: every upload is read by its name", "table": table}))
        listed = list_objects(s3, options["raw_bucket"], uploads, etags=True)
        objects, skipped = rebuild_uploads(listed, table, layout, accepted)
        if not accepted and objects:
            record = restored_record(table, options["run_id"], iso_utc(datetime.now(timezone.utc)), objects, listed)
            put_json(s3, curated, "%s%s.json" % (layout["restoredUploadsPrefix"], options["run_id"]), record)
        resumed_note(table, options["run_id"], done, [k for k, _ in objects])
        objects = [o for o in objects if o[0] not in done]
        inputs, total = run_batches(
            spark, s3, options, layout, plan, objects, started_at, None, progressed, skipped=skipped
        )
    # The partitions no raw object went to: rewritten from their rows (renamed columns filled), in bounded groups.
    touched = total["all_partitions"] if total else set()
    untouched = [p for p in table_partitions(list_objects(s3, curated, plan["prefix"]), plan) if p["name"] not in touched]
    rewritten = 0
    for group in size_batches([[p, p["bytes"]] for p in untouched], BATCH_BYTES):
        rewrite = [p["values"] for p in group]
        figures, _ = run_plan(spark, s3, options, layout, plan, [], started_at, None, reload=True, rewrite=rewrite)
        total = add_figures(total, figures)
        rewritten += len(figures["all_partitions"])
    s3.delete_object(Bucket=curated, Key=progress_key)
    total = total or add_figures(None, table_figures(plan, 0, 0, 0, 0, [], None, layout))
    summary = rebuild_summary(table, len(inputs), skipped, rewritten, finished_figures(total, layout), layout)
    return inputs, total, summary


def main(argv):
    args = parse_args(argv)
    options = job_options(args)
    started_at = datetime.now(timezone.utc)
    s3 = s3_client()
    plans_file = get_json(s3, options["plans_bucket"], options["plans_key"])
    if not plans_file or plans_file.get("version") != PLANS_FILE_VERSION:
        raise JobError("s3://%s/%s is not a version %d plans file"
                       % (options["plans_bucket"], options["plans_key"], PLANS_FILE_VERSION))
    if options["mode"] in ("file", "replay", "rebuild") and options["table"] not in plans_file["tables"]:
        raise JobError("no ETL plan for table %r (plans: %s)" % (options["table"], ", ".join(plans_file["tables"])))
    layout = plans_file["layout"]
    # Swaps a failed run left half done: finished or undone before anything reads the tables (swap_in).
    recover_swaps(s3, options["curated_bucket"], layout)
    spark = spark_session()
    # Every run, whatever its mode, takes the pending uploads and compacts the pending events (the lake runs one at a
    # time: what waits for it is taken by the next run); a replay or a rebuild does its table's work in between.
    upload_inputs, upload_tables, uploads = take_uploads(spark, s3, options, plans_file, started_at)
    own_inputs, own_tables, own = [], [], None
    if options["mode"] == "replay":
        own_inputs, own_total, own = run_replay(spark, s3, options, plans_file, started_at)
        own_tables = [own_total]
    if options["mode"] == "rebuild":
        own_inputs, own_total, own = run_rebuild(spark, s3, options, plans_file, started_at)
        own_tables = [own_total]
    event_inputs, event_tables, objects_left = run_events(spark, s3, options, plans_file, started_at)
    inputs = upload_inputs + own_inputs + event_inputs
    tables = combined_figures(upload_tables + own_tables + event_tables, layout)
    key = None
    if inputs:
        key = inputs_key(layout, options["run_id"])
        put_json(s3, options["curated_bucket"], key, {"inputs": inputs})
    summary = run_summary(
        options,
        started_at,
        datetime.now(timezone.utc),
        inputs,
        tables,
        uploads,
        set(plans_file["events"]),
        key,
        own,
        objects_left,
    )
    put_json(s3, options["curated_bucket"], summary_key(layout, options["run_id"]), summary)
    publish_row_metrics(args, tables)
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
