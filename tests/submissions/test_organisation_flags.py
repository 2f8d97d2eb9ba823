"""The organisation flag on real bundles (issue 11): the validator's report names the
submitter folders, review flags those the uploader is not mapped to, and acceptance needs the
maintainer's confirmation of each; plus ``python -m submissions organisations`` and ``show``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from submissions import organisations
from submissions.cli import main
from submissions.errors import SubmissionError
from submissions.service import SubmissionService
from submissions.worker import Worker
from tests.submissions.conftest import ALICE, MAINTAINER, MAINTAINER_EMAIL, zip_tree
from tests.support.bundles import completed_round_tree

RESULTS = "SELECT count(*) FROM results"


def _reviewed(service: SubmissionService, bundle: Path, name: str) -> int:
    with bundle.open("rb") as stream:
        sid = service.receive(ALICE, stream, name).submission_id
    assert Worker(service, service.settings).run_until_idle() == 1
    assert service.get(ALICE, sid).state.value == "awaiting_review"
    return sid


@pytest.mark.slow  # the worker runs the validator child: 3 s
def test_a_flagged_bundle_is_accepted_only_with_a_confirmation(
    service: SubmissionService, store, make_bundle_zip: Callable[[str], Path]
) -> None:
    sid = _reviewed(service, make_bundle_zip("NEW-1-node-4x-BMG-B70"), "intel.zip")
    check = service.organisations.check(ALICE, sid)  # the submitter sees it too
    assert check.folders == ("closed/Intel",)
    assert [(f.code, f.organisation) for f in check.flags] == [
        (organisations.LOGIN_UNMAPPED, "Intel")
    ]
    assert "'https://idp#alice' is mapped to no organisation" in check.flags[0].message
    before = (store.cursor().sql(RESULTS).fetchall(), len(service.audit_log(MAINTAINER)))
    for confirmed in ([], ["intel"], ["NVIDIA"]):  # none, the wrong case, another one
        with pytest.raises(SubmissionError) as caught:
            service.accept(MAINTAINER, sid, "checked", confirm_organisations=confirmed)
        assert caught.value.code == "review.organisation_unconfirmed"
        assert "folders name 'Intel', which 'https://idp#alice' is not mapped to" in (
            caught.value.message
        )
        assert service.get(MAINTAINER, sid).state.value == "awaiting_review"
        assert (store.cursor().sql(RESULTS).fetchall(), len(service.audit_log(MAINTAINER))) == (
            before
        )
    done = service.accept(
        MAINTAINER, sid, "Alice's contract with Intel seen", confirm_organisations=[" Intel "]
    )
    assert done.state.value == "accepted"
    entries = service.audit_log(ALICE, sid)  # the owner reads the confirmation too
    assert [e.action for e in entries][-2:] == ["organisation_confirmed", "accepted"]
    confirmed = entries[-2]
    assert (confirmed.actor_label, confirmed.from_state, confirmed.to_state) == (
        MAINTAINER_EMAIL, None, None,
    )  # fmt: skip
    assert confirmed.reason == (
        "checked that https://idp#alice may submit for Intel (closed/Intel; "
        "submitter.login_unmapped): Alice's contract with Intel seen"
    )
    assert service.verify_audit_chain(MAINTAINER).intact


@pytest.mark.slow  # the worker runs the validator child: 3 s
def test_a_bundle_with_two_organisations_flags_the_other_one(
    service: SubmissionService, tmp_path: Path
) -> None:
    """The real v4.1 bundles: closed/NVIDIA and open/NeuralMagic in one archive."""
    tree = completed_round_tree("v4.1", tmp_path / "tree")
    bundle = zip_tree(tree, tmp_path / "v41.zip")
    with bundle.open("rb") as stream:
        sid = service.receive(ALICE, stream, "v41.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    report = service.report(MAINTAINER, sid)
    assert report is not None
    assert {(r.division, r.submitter) for r in report.results} == {
        ("closed", "NVIDIA"),
        ("open", "NeuralMagic"),
    }
    service.organisations.grant(MAINTAINER, ALICE.subject, ["NVIDIA"], "NVIDIA's submitter")
    check = service.organisations.check(MAINTAINER, sid)
    assert check.folders == ("closed/NVIDIA", "open/NeuralMagic")
    assert check.organisations == ("NVIDIA",)
    assert [(f.code, f.organisation, f.folders) for f in check.flags] == [
        (organisations.OTHER_ORGANISATION, "NeuralMagic", ("open/NeuralMagic",))
    ]
    assert check.flags[0].message == (
        "The submitter folder 'open/NeuralMagic' names the organisation 'NeuralMagic', "
        "another organisation than 'https://idp#alice' may submit for (NVIDIA)."
    )


# ============================================================================= the CLI
@pytest.fixture
def run(db_settings, settings, capsys) -> Callable[..., tuple[int, str, str]]:
    environ = {
        "INFERBOARD_DB_PATH": str(db_settings.db_path),
        "INFERBOARD_SEED_PATH": str(db_settings.seed_path),
        "INFERBOARD_STORAGE_DIR": str(settings.storage_dir),
        "INFERBOARD_MAINTAINERS": MAINTAINER_EMAIL,
    }

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), environ)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_the_cli_lists_grants_and_revokes_with_reasons(run) -> None:
    me = ("--as", MAINTAINER_EMAIL)
    assert run("organisations", "list") == (0, "(no organisation is mapped to any login)\n", "")
    code, out, _ = run(
        "organisations", "grant", "Vendor@NVIDIA.com", "NVIDIA", "NVIDIA_Supermicro",
        "--reason", "contract 7", *me,
    )  # fmt: skip
    assert code == 0
    assert out.splitlines() == [
        "vendor@nvidia.com may now submit for NVIDIA, NVIDIA_Supermicro",
        "note: nobody with this login has submitted yet; check the spelling (an e-mail as "
        "the login provider verifies it, or issuer#subject)",
    ]
    code, out, _ = run("organisations", "list", "--login", "vendor@nvidia.com")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("vendor@nvidia.com ") and " NVIDIA " in lines[0]
    assert lines[0].endswith(f"maintainer {MAINTAINER_EMAIL}: contract 7")
    code, out, _ = run(
        "organisations", "revoke", "vendor@nvidia.com", "NVIDIA_Supermicro", "--reason", "left",
        *me,
    )  # fmt: skip
    assert code == 0
    assert out.startswith("vendor@nvidia.com may no longer submit for NVIDIA_Supermicro (granted")
    code, out, _ = run("audit")
    assert [line.split()[5] for line in out.splitlines()] == [
        "organisation_granted", "organisation_granted", "organisation_revoked",
    ]  # fmt: skip
    assert run("audit", "--verify")[:2] == (0, "audit chain intact (3 entries)\n")


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("grant", "nobody", "NVIDIA"), "organisations.login_invalid"),
        (("grant", "a@b.org", "<b>NVIDIA</b>"), "organisations.name_invalid"),
        (("grant", "a@b.org", "NV\x1bIDIA"), "organisations.name_invalid"),
        (("grant", "a@b.org", "N" * 5000), "organisations.name_invalid"),
        (("grant", "", "NVIDIA"), "organisations.login_required"),
        (("revoke", "a@b.org", "NVIDIA"), "organisations.not_granted"),
        (("revoke", "unknown@b.org", "Dell"), "organisations.not_granted"),
    ],
)
def test_the_cli_refuses_bad_input_in_one_line(run, argv: tuple[str, ...], code: str) -> None:
    status, out, err = run("organisations", *argv, "--reason", "why", "--as", MAINTAINER_EMAIL)
    assert (status, out) == (2, "")
    assert err.startswith("error: ") and err.rstrip().endswith(f"[{code}]")
    assert err.count("\n") == 1 and "Traceback" not in err and "\x1b" not in err
    assert len(err) < 600


def test_the_cli_needs_a_maintainer_and_a_reason(run) -> None:
    status, _, err = run(
        "organisations", "grant", "a@b.org", "Dell", "--reason", "me", "--as", "a@b.org"
    )
    assert status == 2 and "[auth.maintainers_only]" in err
    status, _, err = run(
        "organisations", "grant", "a@b.org", "Dell", "--reason", " ", "--as", MAINTAINER_EMAIL
    )
    assert status == 2 and "[organisations.reason_required]" in err
    with pytest.raises(SystemExit):  # argparse: --reason and --as are required
        run("organisations", "revoke", "a@b.org", "Dell")
    assert run("organisations", "list")[1] == "(no organisation is mapped to any login)\n"


@pytest.mark.slow  # the worker and the CLI in child processes: 7 s
def test_show_prints_the_flag_and_what_acceptance_needs(
    run, make_bundle_zip: Callable[[str], Path]
) -> None:
    bundle = make_bundle_zip("NEW-1-node-4x-BMG-B70")
    assert run("submit", str(bundle), "--as", "Vendor@Example.org")[0] == 0
    code, out, _ = run("show", "1")
    assert "Organisations: vendor@example.org may submit for no organisation" in out
    assert "  not checked: the validator's report has no result" in out
    run("work")
    code, out, _ = run("show", "1")
    assert "  FLAG    submitter.login_unmapped  'closed/Intel'" in out
    assert "  accepting needs: --confirm-organisation Intel" in out
    run("organisations", "grant", "vendor@example.org", "Intel", "--reason", "contract",
        "--as", MAINTAINER_EMAIL)  # fmt: skip
    code, out, _ = run("show", "1")
    assert "Organisations: vendor@example.org may submit for Intel" in out
    assert "  every submitter folder is one of them: closed/Intel" in out
    code, out, _ = run("show", "1", "--json")
    import json

    shown = json.loads(out)["organisations"]
    assert (shown["login"], shown["organisations"], shown["flags"]) == (
        "vendor@example.org", ["Intel"], [],
    )  # fmt: skip
    code, out, _ = run("accept", "1", "--reason", "checked", "--as", MAINTAINER_EMAIL)
    assert code == 0 and "accepted" in out  # mapped now: no confirmation needed
