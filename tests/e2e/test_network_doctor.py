"""`lambda-vpc doctor` on a stopped server: what a running server would build versus what is left in the kernel."""
from conftest import Server
from network_support import doctor, fabric_tag, namespaces, require_net_admin, wait_for


def test_doctor_tells_a_clean_stop_from_leftovers():
    require_net_admin()
    s = Server().start()
    try:
        tag = fabric_tag(s)
        s.client("ec2").create_vpc(CidrBlock="10.61.0.0/16")
        wait_for(lambda: namespaces(tag), "the VPC's router namespace")
        running = doctor(s)
        assert running.returncode == 0 and "kernel matches the store" in running.stdout, running.stdout + running.stderr

        s.stop()
        stopped = doctor(s)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert "no server is running" in stopped.stdout
        assert "a running server would build 1 namespaces from the store" in stopped.stdout
        assert "nothing is left in the kernel" in stopped.stdout

        s.start()
        wait_for(lambda: namespaces(tag), "the rebuilt router namespace")
        s.kill9()
        left = doctor(s)
        assert left.returncode == 1, left.stdout + left.stderr
        assert "namespaces are left behind" in left.stdout and f"lv-{tag}-vpc-" in left.stdout
        # The next serve repairs, and a clean stop leaves nothing.
        s.start()
        s.stop()
        assert namespaces(tag) == []
        assert doctor(s).returncode == 0
    finally:
        s.cleanup()
