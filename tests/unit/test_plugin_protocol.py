"""Protocol 6.11 takes the place of tf's 6.5 modules, and only when tf is imported after us."""

from __future__ import annotations

import subprocess
import sys


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)


def test_tf_imported_after_the_provider_builds_6_11_messages_from_one_module() -> None:
    done = python(
        "import provider, tf.schema, tf.provider\n"
        "import tf.gen.tfplugin_pb2 as pb, tf.gen.tfplugin_pb2_grpc as rpc\n"
        "from provider.plugin.gen import tfplugin6_pb2\n"
        "assert tf.schema.pb is pb is tfplugin6_pb2, pb\n"
        "assert tf.provider.rpc is rpc\n"
        "print(pb.Schema.Attribute(write_only=True).write_only)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_importing_the_provider_package_loads_no_protocol_module() -> None:
    done = python(
        "import sys, provider.main\n"
        "print(sorted(m for m in sys.modules if m.startswith(('tf', 'google.protobuf', 'grpc'))))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_tf_imported_first_is_refused_by_name() -> None:
    done = python("import tf.schema\nimport provider")
    assert done.returncode != 0
    assert "ProtocolAlreadyLoaded" in done.stderr
    assert "import the provider package before tf" in done.stderr
