"""Every management command explains itself: `manage.py <command> --help` says, in the site's language, what it
does and its options."""

import subprocess
import sys

import pytest

from tests.server_helpers import ROOT

# (command, words its help must contain): what it is for, and the options a user needs.
HELP = [
    ("load_registry", ["counties.geojson", "townships.csv", "villages.csv", "--data-dir", "不写入任何数据"]),
    ("import_villages", ["XLSX", "GBK/GB18030", "--user", "--dry-run", "--crs", "--encoding", "退出状态 1"]),
    ("export_villages", [".xlsx", ".csv", "--county", "导入"]),
    ("seed_demo", ["DEBUG", "示意", "demo-pass-2025"]),
    ("backup", ["zip", "MEDIA_ROOT", "--database"]),
    ("restore", ["空数据库", "migrate", "--database"]),
    ("create_api_token", ["--name", "--write", "--expires-days", "只读", "摘要", "仅限管理员"]),
    ("create_periods", ["12 个月报周期", "--deadline-day", "重复运行不会改变任何内容"]),
    ("send_reminders", ["只收到一条站内消息和一封邮件", "下次运行时发送", "cron"]),
    ("issue_bulletin", ["DOCX", "--user", "--output", "--xlsx", "冻结", "同一份通报"]),
    ("import_projects", ["项目库", "GBK", "--year", "--user", "--dry-run", "--encoding", "退出状态 1", "计划合计"]),
    ("export_projects", [".xlsx", "--year", "--county", "不会改变任何内容"]),
]


@pytest.mark.parametrize("command,words", HELP, ids=[command for command, _words in HELP])
def test_help_text_says_what_the_command_does_and_its_options(command, words):
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "COLUMNS": "1000",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
    )
    assert result.returncode == 0, result.stderr
    help_text = " ".join(result.stdout.split())
    missing = [word for word in words if word not in help_text]
    assert missing == []
