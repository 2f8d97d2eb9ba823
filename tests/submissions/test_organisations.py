"""Which organisations a login may submit for (issue 11): the rules, the maintainers' edits
with their principal checks and audit entries, the settings seed, and the check on a stored
report (the real bundles are in test_organisation_flags.py)."""

from __future__ import annotations

import io
import tomllib

import pytest

from leaderboard.db import Store
from leaderboard.settings import SettingsError, setting_values
from submissions import organisations
from submissions.errors import PermissionDeniedError, SubmissionError
from submissions.organisations import login_key, organisation_name, parse_seed
from submissions.roles import ANONYMOUS, Principal, Role, principal_from_claims
from submissions.service import SubmissionService, ledger_of
from submissions.settings import SubmissionSettings
from tests.submissions.conftest import ALICE, BOB, MAINTAINER, MAINTAINER_EMAIL
from validator.report import Report, ResultEntry

LONG = "N" * 65


# ============================================================================= the rules
@pytest.mark.parametrize(
    "name",
    [
        "NVIDIA",
        "Intel-HabanaLabs",
        "Quanta_Cloud_Technology",
        "Azure+NVIDIA",
        "x.ai",
        "9Z",
        "N" * 64,
    ],
)
def test_submitter_folder_names_are_organisations(name: str) -> None:
    assert organisation_name(f"  {name}\t") == name  # surrounding blanks only are dropped


@pytest.mark.parametrize(
    ("typed", "code", "shown"),
    [
        ("", "organisations.name_required", ""),
        ("   \n", "organisations.name_required", ""),
        ("<b>Intel</b>", "organisations.name_invalid", "'<b>Intel</b>'"),
        ("In\x00tel", "organisations.name_invalid", "'In\\x00tel'"),
        ("In\x1b[31mtel", "organisations.name_invalid", "'In\\x1b[31mtel'"),
        ("Red Hat", "organisations.name_invalid", "'Red Hat'"),
        (".hidden", "organisations.name_invalid", "'.hidden'"),
        ("../closed", "organisations.name_invalid", "'../closed'"),
        ("closed/Intel", "organisations.name_invalid", "'closed/Intel'"),
        ("Intél", "organisations.name_invalid", "'Intél'"),
        (LONG, "organisations.name_invalid", "65 characters"),
        ("N" * 10_000, "organisations.name_invalid", "'" + "N" * 80 + "'…"),
    ],
)
def test_hostile_organisation_names_get_a_code_and_a_safe_message(
    typed: str, code: str, shown: str
) -> None:
    with pytest.raises(SubmissionError) as caught:
        organisation_name(typed)
    assert caught.value.code == code
    assert shown in caught.value.message
    assert "\x00" not in caught.value.message and "\x1b" not in caught.value.message
    assert len(caught.value.message) < 400


def test_logins_are_an_email_in_lower_case_or_an_exact_subject() -> None:
    assert login_key(" Vendor@NVIDIA.com ") == "vendor@nvidia.com"
    assert login_key("https://idp.example#Alice") == "https://idp.example#Alice"
    assert login_key("https://idp#a#b") == "https://idp#a#b"  # a subject may hold '#'


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "organisations.login_required"),
        ("nobody", "organisations.login_invalid"),
        ("<b>@example.org", "organisations.login_invalid"),
        ("a b@example.org", "organisations.login_invalid"),
        ("a@b@example.org", "organisations.login_invalid"),
        ("@example.org", "organisations.login_invalid"),
        ("alice@", "organisations.login_invalid"),
        ("al\x00ice@example.org", "organisations.login_invalid"),
        ("x" * 250 + "@example.org", "organisations.login_invalid"),
        ("#alice", "organisations.login_invalid"),
        ("https://idp#", "organisations.login_invalid"),
        ("https://idp#ali ce", "organisations.login_invalid"),
        ("https://idp#al\x07ice", "organisations.login_invalid"),
        ("https://idp#" + "s" * 600, "organisations.login_invalid"),
    ],
)
def test_hostile_logins_get_a_code(typed: str, code: str) -> None:
    with pytest.raises(SubmissionError) as caught:
        login_key(typed)
    assert caught.value.code == code
    assert "\x00" not in caught.value.message and "\x07" not in caught.value.message


def test_the_seed_setting_reads_every_form_and_names_a_bad_entry() -> None:
    expected = {"a@x.org": ("NVIDIA", "Dell"), "https://idp#7": ("AMD",)}
    text = "A@x.org=NVIDIA, Dell ; https://idp#7=AMD;"
    assert parse_seed(text) == expected
    assert parse_seed(["a@x.org=NVIDIA,Dell", "https://idp#7=AMD"]) == expected
    assert parse_seed({"a@x.org": ["NVIDIA", "Dell"], "https://idp#7": "AMD"}) == expected
    assert parse_seed("a@x.org=NVIDIA; A@X.org=Dell,NVIDIA; https://idp#7=AMD") == expected
    assert parse_seed(None) == parse_seed("") == {}
    settings = SubmissionSettings.from_mapping({"INFERBOARD_SUBMITTER_ORGANISATIONS": text})
    assert settings.submitter_organisations == expected
    secrets = tomllib.loads(  # a TOML array in the secrets file, as the example shows
        'INFERBOARD_SUBMITTER_ORGANISATIONS = ["a@x.org=NVIDIA,Dell", "https://idp#7=AMD"]'
    )
    from_file = SubmissionSettings.from_mapping(setting_values({}, secrets))
    assert from_file.submitter_organisations == expected
    for bad, says in [
        ("a@x.org", "is not LOGIN=ORG"),
        ("a@x.org=", "is given no organisation"),
        ("nobody=NVIDIA", "'nobody' is neither an e-mail"),
        ("a@x.org=<b>", "'<b>' cannot be a submitter folder name"),
    ]:
        with pytest.raises(ValueError, match=says):
            parse_seed(bad)
        with pytest.raises(SettingsError) as caught:
            SubmissionSettings.from_mapping({"INFERBOARD_SUBMITTER_ORGANISATIONS": bad})
        assert caught.value.code == "settings.invalid"
        assert "INFERBOARD_SUBMITTER_ORGANISATIONS" in caught.value.message


# ============================================================================= editing
def test_only_maintainers_read_or_change_the_mapping(service: SubmissionService) -> None:
    calls = [
        lambda who: service.organisations.grants(who),
        lambda who: service.organisations.grant(who, "alice@example.org", ["Intel"], "mine"),
        lambda who: service.organisations.revoke(who, "alice@example.org", "Intel", "x"),
        lambda who: service.organisations.login_seen(who, "alice@example.org"),
    ]
    for call in calls:
        with pytest.raises(PermissionDeniedError) as caught:
            call(ALICE)
        assert caught.value.code == "auth.maintainers_only"
        with pytest.raises(PermissionDeniedError) as caught:
            call(ANONYMOUS)
        assert caught.value.code == "auth.login_required"
    assert service.organisations.grants(MAINTAINER) == []
    assert service.audit_log(MAINTAINER) == []  # nothing was written by the refused calls


def test_grants_and_revocations_are_audited_with_who_and_why(service: SubmissionService) -> None:
    added = service.organisations.grant(
        MAINTAINER, "Vendor@NVIDIA.com", ["NVIDIA", "NVIDIA_Supermicro", "NVIDIA"], "contract 7"
    )
    assert [(g.login, g.organisation, g.source) for g in added] == [
        ("vendor@nvidia.com", "NVIDIA", "maintainer"),
        ("vendor@nvidia.com", "NVIDIA_Supermicro", "maintainer"),
    ]
    assert added[0].granted_by == MAINTAINER_EMAIL and added[0].reason == "contract 7"
    assert added[0].granted_at.tzinfo is not None
    listed = service.organisations.grants(MAINTAINER, "vendor@nvidia.COM")
    assert [g.organisation for g in listed] == ["NVIDIA", "NVIDIA_Supermicro"]
    assert listed[0].granted_at == added[0].granted_at
    removed = service.organisations.revoke(
        MAINTAINER, "vendor@nvidia.com", "NVIDIA_Supermicro", "left the joint submission"
    )
    assert removed.organisation == "NVIDIA_Supermicro"
    assert [g.organisation for g in service.organisations.grants(MAINTAINER)] == ["NVIDIA"]
    entries = service.audit_log(MAINTAINER)
    assert [(e.action, e.actor_label, e.submission_id, e.reason) for e in entries] == [
        ("organisation_granted", MAINTAINER_EMAIL, None,
         "vendor@nvidia.com may submit for NVIDIA: contract 7"),
        ("organisation_granted", MAINTAINER_EMAIL, None,
         "vendor@nvidia.com may submit for NVIDIA_Supermicro: contract 7"),
        ("organisation_revoked", MAINTAINER_EMAIL, None,
         "vendor@nvidia.com may no longer submit for NVIDIA_Supermicro: left the joint "
         "submission"),
    ]  # fmt: skip
    check = service.verify_audit_chain(MAINTAINER)
    assert (check.problems, check.entries) == ([], 3)


def test_refused_edits_say_why_and_change_nothing(service: SubmissionService) -> None:
    service.organisations.grant(MAINTAINER, "alice@example.org", ["Intel"], "contract")
    before = (service.organisations.grants(MAINTAINER), service.audit_log(MAINTAINER))

    def refused(call, code: str) -> str:
        with pytest.raises(SubmissionError) as caught:
            call()
        assert caught.value.code == code
        assert (service.organisations.grants(MAINTAINER), service.audit_log(MAINTAINER)) == before
        return caught.value.message

    # all or nothing: Dell is not granted because Intel already was
    message = refused(
        lambda: service.organisations.grant(
            MAINTAINER, "alice@example.org", ["Dell", "Intel"], "x"
        ),
        "organisations.already_granted",
    )
    assert "may already submit for Intel (granted by maintainer@example.org on " in message
    message = refused(
        lambda: service.organisations.revoke(MAINTAINER, "alice@example.org", "intel", "typo"),
        "organisations.not_granted",
    )
    assert "'alice@example.org' may not submit for 'intel'" in message
    assert "(it may submit for Intel)" in message
    message = refused(
        lambda: service.organisations.revoke(MAINTAINER, "nobody@example.org", "Intel", "x"),
        "organisations.not_granted",
    )
    assert "(it may submit for no organisation)" in message
    for reason, code in [
        ("  ", "organisations.reason_required"),
        ("ok\x00", "organisations.reason_invalid"),
        ("x" * 2001, "organisations.reason_invalid"),
    ]:
        refused(
            lambda reason=reason: service.organisations.grant(
                MAINTAINER, "bob@example.org", ["Dell"], reason
            ),
            code,
        )
    refused(
        lambda: service.organisations.grant(MAINTAINER, "bob@example.org", [], "why"),
        "organisations.name_required",
    )
    refused(
        lambda: service.organisations.grant(MAINTAINER, "bob@example.org", ["<b>"], "why"),
        "organisations.name_invalid",
    )
    refused(
        lambda: service.organisations.grant(MAINTAINER, "<b>bob</b>", ["Dell"], "why"),
        "organisations.login_invalid",
    )
    refused(lambda: service.organisations.grants(MAINTAINER, ""), "organisations.login_required")


def test_a_login_never_seen_may_be_granted_and_is_reported_unseen(
    service: SubmissionService,
) -> None:
    service.receive(ALICE, io.BytesIO(b"PK alice"), "alice.zip")  # subject only: not verified
    verified = _verified("carol")
    service.receive(verified, io.BytesIO(b"PK carol"), "carol.zip")
    assert service.organisations.login_seen(MAINTAINER, ALICE.subject)
    assert not service.organisations.login_seen(MAINTAINER, ALICE.email)  # never verified
    assert service.organisations.login_seen(MAINTAINER, "CAROL@example.org")
    assert not service.organisations.login_seen(MAINTAINER, "dave@example.org")
    service.organisations.grant(MAINTAINER, "dave@example.org", ["Dell"], "before the upload")
    assert [g.login for g in service.organisations.grants(MAINTAINER)] == ["dave@example.org"]


# ============================================================================= the seed
def test_the_settings_seed_each_pair_once_and_a_revocation_sticks(
    store: Store, settings: SubmissionSettings
) -> None:
    seeded = settings.with_changes(
        submitter_organisations="alice@example.org=Intel; https://idp#bob=Dell,AMD"
    )
    service = SubmissionService(store, seeded)
    grants = service.organisations.grants(MAINTAINER)
    assert {(g.login, g.organisation, g.source, g.granted_by) for g in grants} == {
        ("alice@example.org", "Intel", "settings", "settings (INFERBOARD_SUBMITTER_ORGANISATIONS)"),
        ("https://idp#bob", "AMD", "settings", "settings (INFERBOARD_SUBMITTER_ORGANISATIONS)"),
        ("https://idp#bob", "Dell", "settings", "settings (INFERBOARD_SUBMITTER_ORGANISATIONS)"),
    }
    entries = service.audit_log(MAINTAINER)
    assert [e.action for e in entries] == ["organisation_granted"] * 3
    assert {e.actor_subject for e in entries} == {"inferboard:settings"}
    service.organisations.revoke(MAINTAINER, "https://idp#bob", "AMD", "not AMD's submitter")
    # a restart with the same settings grants nothing again; a new pair is granted
    again = SubmissionService(store, seeded)
    assert len(again.audit_log(MAINTAINER)) == 4
    assert ("https://idp#bob", "AMD") not in {
        (g.login, g.organisation) for g in again.organisations.grants(MAINTAINER)
    }
    more = seeded.with_changes(
        submitter_organisations="alice@example.org=Intel,Intel-HabanaLabs; https://idp#bob=AMD"
    )
    third = SubmissionService(store, more)
    assert [e.reason for e in third.audit_log(MAINTAINER)][4:] == [
        "alice@example.org may submit for Intel-HabanaLabs: configured in "
        "INFERBOARD_SUBMITTER_ORGANISATIONS"
    ]
    assert third.verify_audit_chain(MAINTAINER).intact


def test_a_seeded_pair_a_maintainer_granted_first_is_not_granted_twice(
    store: Store, settings: SubmissionSettings
) -> None:
    SubmissionService(store, settings).organisations.grant(
        MAINTAINER, "alice@example.org", ["Intel"], "by hand"
    )
    seeded = SubmissionService(
        store, settings.with_changes(submitter_organisations="alice@example.org=Intel")
    )
    grants = seeded.organisations.grants(MAINTAINER)
    assert [(g.organisation, g.source, g.reason) for g in grants] == [
        ("Intel", "maintainer", "by hand")
    ]
    assert len(seeded.audit_log(MAINTAINER)) == 1


# ============================================================================= the check
def _verified(name: str, *, verified: bool = True) -> Principal:
    claims = {
        "iss": "https://idp",
        "sub": name,
        "email": f"{name.capitalize()}@example.org",
        "email_verified": verified,
    }
    return principal_from_claims(claims, [MAINTAINER_EMAIL])


def _entry(division: str, submitter: str, scenario: str) -> ResultEntry:
    return ResultEntry(
        division=division,
        submitter=submitter,
        system="sys",
        benchmark="llama2-70b-99",
        mlperf_benchmark="llama2-70b-99",
        scenario=scenario,
        scenario_dir=scenario,
        location=f"results/sys/llama2-70b-99/{scenario}",
        round="v6.0",
    )


def _stored(service: SubmissionService, who: Principal, *folders: tuple[str, str]) -> int:
    """A submission whose stored report has results under these division/submitter folders."""
    sid = service.receive(who, io.BytesIO(repr(folders).encode()), "b.zip").submission_id
    report = Report(
        round="v6.0",
        results=[_entry(d, s, sc) for d, s in folders for sc in ("Offline", "Server")],
    )
    path = ledger_of(service).report_path(sid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.to_json(), encoding="utf-8")
    return sid


def test_each_other_folder_is_flagged_once_naming_its_divisions(
    service: SubmissionService,
) -> None:
    carol = _verified("carol")
    sid = _stored(service, carol, ("closed", "NVIDIA"), ("open", "NVIDIA"), ("closed", "Dell"))
    check = service.organisations.check(carol, sid)
    assert check.folders == ("closed/Dell", "closed/NVIDIA", "open/NVIDIA")
    assert check.login == "carol@example.org" and check.organisations == ()
    assert [(f.code, f.organisation, f.folders) for f in check.flags] == [
        (organisations.LOGIN_UNMAPPED, "Dell", ("closed/Dell",)),
        (organisations.LOGIN_UNMAPPED, "NVIDIA", ("closed/NVIDIA", "open/NVIDIA")),
    ]
    assert check.flags[1].message == (
        "The submitter folder 'closed/NVIDIA', 'open/NVIDIA' names the organisation 'NVIDIA', "
        "but 'carol@example.org' is mapped to no organisation: a maintainer must check that "
        "this login may submit for 'NVIDIA'."
    )
    service.organisations.grant(MAINTAINER, "carol@example.org", ["NVIDIA"], "contract")
    check = service.organisations.check(MAINTAINER, sid)  # evaluated now, not at upload
    assert [(f.code, f.organisation) for f in check.flags] == [
        (organisations.OTHER_ORGANISATION, "Dell")
    ]
    assert check.flags[0].message == (
        "The submitter folder 'closed/Dell' names the organisation 'Dell', another "
        "organisation than 'carol@example.org' may submit for (NVIDIA)."
    )
    service.organisations.grant(MAINTAINER, "carol@example.org", ["dell"], "as spelt")
    check = service.organisations.check(MAINTAINER, sid)
    assert [f.code for f in check.flags] == [organisations.CASE_DIFFERS]
    assert "differs only in case from dell" in check.flags[0].message
    service.organisations.grant(MAINTAINER, "carol@example.org", ["Dell"], "the folder's case")
    assert service.organisations.check(carol, sid).flags == ()


def test_an_unverified_email_matches_nothing_and_the_subject_does(
    service: SubmissionService,
) -> None:
    """Someone whose provider does not vouch for vendor@... cannot borrow its grants."""
    impostor = _verified("erin", verified=False)
    sid = _stored(service, impostor, ("closed", "Intel"))
    service.organisations.grant(MAINTAINER, "erin@example.org", ["Intel"], "Intel's Erin")
    check = service.organisations.check(MAINTAINER, sid)
    assert check.login == "https://idp#erin"  # the key a maintainer could grant instead
    assert [f.code for f in check.flags] == [organisations.LOGIN_UNMAPPED]
    service.organisations.grant(MAINTAINER, "https://idp#erin", ["Intel"], "subject checked")
    assert service.organisations.check(MAINTAINER, sid).flags == ()
    assert service.organisations.mine(impostor) == ["Intel"]
    assert service.organisations.mine(_verified("erin")) == ["Intel"]  # subject, and e-mail


def test_the_check_is_for_the_owner_and_maintainers_only(service: SubmissionService) -> None:
    sid = _stored(service, ALICE, ("closed", "Intel"))
    assert service.organisations.check(ALICE, sid).flagged == ("Intel",)
    for who in (BOB, ANONYMOUS):
        with pytest.raises(SubmissionError) as caught:
            service.organisations.check(who, sid)
        assert caught.value.code in {"submission.not_found", "auth.login_required"}
    with pytest.raises(SubmissionError) as caught:
        service.organisations.check(MAINTAINER, 999)
    assert caught.value.code == "submission.not_found"


def test_without_a_report_nothing_is_checked_yet(service: SubmissionService) -> None:
    sid = service.receive(ALICE, io.BytesIO(b"PK pending"), "pending.zip").submission_id
    check = service.organisations.check(ALICE, sid)
    assert (check.checked, check.folders, check.flags) == (False, (), ())


def test_hostile_folder_names_are_quoted_in_the_flag(service: SubmissionService) -> None:
    sid = _stored(service, ALICE, ("closed", "<b>Evil</b>\u202e"))
    flag = service.organisations.check(MAINTAINER, sid).flags[0]
    assert flag.organisation == "<b>Evil</b>\u202e"  # kept exactly: it is what is confirmed
    assert "'<b>Evil</b>\\u202e'" in flag.message  # the bidi override is escaped


def test_role_of_a_verified_principal() -> None:
    assert _verified("carol").verified_email == "carol@example.org"
    assert _verified("carol", verified=False).verified_email is None
    assert Principal("s", "X@Y.org", None, Role.SUBMITTER).verified_email is None


# ============================================================================= tampering
@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            "INSERT INTO submitter_organisations VALUES ('bob@example.org', 'Intel', "
            "'maintainer@example.org', TIMESTAMP '2026-01-01', 'forged', 'maintainer')",
            "bob@example.org may submit for Intel in the organisations table, but the audit "
            "log does not grant it (added without an entry)",
        ),
        (
            "DELETE FROM submitter_organisations WHERE organisation = 'Dell'",
            "the audit log grants alice@example.org Dell, which the organisations table lacks "
            "(removed without an entry)",
        ),
        (
            "DROP TABLE submitter_organisations",
            "the submitter_organisations table cannot be read (dropped)",
        ),
    ],
)
def test_the_audit_check_finds_grants_changed_without_an_entry(
    service: SubmissionService, store: Store, tamper: str, problem: str
) -> None:
    service.organisations.grant(MAINTAINER, "alice@example.org", ["Intel", "Dell"], "contract")
    service.organisations.revoke(MAINTAINER, "alice@example.org", "Intel", "moved to Dell")
    assert service.verify_audit_chain(MAINTAINER).problems == []
    store.cursor().execute(tamper)
    assert service.verify_audit_chain(MAINTAINER).problems == [problem]


def test_a_grant_problem_names_an_unreadable_entry() -> None:
    logged = [
        {"sequence": 1, "action": "organisation_granted", "reason": "a@b.org may submit for X: y"},
        {"sequence": 2, "action": "organisation_revoked", "reason": "a@b.org may submit for X: y"},
        {"sequence": 3, "action": "received", "reason": "not an organisation entry"},
    ]
    assert organisations.grant_problems(logged, {("a@b.org", "X")}) == [
        "entry 2: an organisation entry that cannot be read"
    ]
