"""The WSGI application gets ready before its first request."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_worker_loads_the_chinese_dictionary_before_its_first_request(tmp_path):
    # In a process of its own: this test process has long since loaded the dictionary.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"IPPS_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ipps.settings"})
    code = "import jieba, ipps.wsgi; print(jieba.dt.initialized)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
