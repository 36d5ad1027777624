"""A local Rill cluster for the fault scripts in bench/cluster (issue 12): 3 etcd members and N `rill serve` brokers
on 127.0.0.1 (free ports / port 0), each broker behind TCP proxies (its advertised listener, and one link per etcd
member) so a script can partition it, plus kill -9, SIGSTOP/SIGCONT and restart of brokers and etcd members.

Build first: dotnet build src/Rill.Server/Rill.Server.csproj (RILL_DLL overrides the rill.dll path).
"""
import os, re, select, signal, socket, subprocess, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rill_dll():
    return os.environ.get("RILL_DLL") or next(p for p in [f"{ROOT}/src/Rill.Server/bin/Release/net10.0/rill.dll",
                                                          f"{ROOT}/src/Rill.Server/bin/Debug/net10.0/rill.dll"] if os.path.exists(p))


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


class Proxy:
    """TCP proxy; cut() blackholes both directions (held bytes are delivered after heal(), as TCP would), new
    connections during a cut are accepted but reach nobody until the heal."""

    def __init__(self, upstream=0):
        self.upstream = upstream
        self.open = threading.Event(); self.open.set()
        self.port, self.closed = 0, False
        self.listen()

    def listen(self):
        """(Again) accepts connections on the proxy's port."""
        self.sock = socket.socket(); self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port)); self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.listening = True
        threading.Thread(target=self._accept, args=(self.sock,), daemon=True).start()

    def stop_listening(self):
        """The port refuses connections, as a dead process's port does (the broker behind it was killed)."""
        self.listening = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def cut(self): self.open.clear()

    def heal(self): self.open.set()

    def close(self):
        self.closed = True
        self.open.set()
        self.stop_listening()

    def _accept(self, sock):
        while not self.closed:
            try:
                client, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        self.open.wait()
        try:
            server = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
            server.settimeout(None)
        except OSError:
            client.close(); return
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while not self.closed:
                self.open.wait()
                data = src.recv(65536)
                if not data:
                    break
                self.open.wait()
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            # shutdown first: it wakes the other pump blocked in recv() on the same socket and sends the FIN
            # (a bare close() from another thread leaves the peer's connection open until its request timeout)
            try: s.shutdown(socket.SHUT_RDWR)
            except OSError: pass
            try: s.close()
            except OSError: pass


class Cluster:
    def __init__(self, brokers=3, properties=(), proxied=True, prefix="/bench"):
        self.work = tempfile.mkdtemp(prefix="rill-cluster-")
        self.procs, self.etcd_ports, self.etcd_args = {}, [], {}
        self.properties, self.proxied, self.prefix = list(properties), proxied, prefix
        self.addresses, self.listener_proxy, self.etcd_proxies, self.ports, self.logs = {}, {}, {}, {}, {}
        self.ids = list(range(1, brokers + 1))

    # --- etcd ---
    def start_etcd(self):
        self.etcd_ports = [(free_port(), free_port()) for _ in range(3)]
        initial = ",".join(f"e{i}=http://127.0.0.1:{p[1]}" for i, p in enumerate(self.etcd_ports))
        for i, (client, peer) in enumerate(self.etcd_ports):
            self.etcd_args[i] = ["/usr/bin/etcd", "--name", f"e{i}", "--data-dir", f"{self.work}/etcd{i}",
                "--listen-client-urls", f"http://127.0.0.1:{client}", "--advertise-client-urls", f"http://127.0.0.1:{client}",
                "--listen-peer-urls", f"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
                "--initial-cluster", initial, "--initial-cluster-state", "new", "--heartbeat-interval", "50", "--election-timeout", "500"]
            self._start_etcd_member(i)
        self.etcd_endpoints = ",".join(f"http://127.0.0.1:{c}" for c, _ in self.etcd_ports)
        self.wait_etcd_healthy()

    def _start_etcd_member(self, i, existing=False):
        args = list(self.etcd_args[i])
        if existing:
            args[args.index("new")] = "existing"
        log = open(f"{self.work}/etcd{i}.log", "a")
        self.procs[f"etcd{i}"] = subprocess.Popen(args, stdout=log, stderr=log)

    def wait_etcd_healthy(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if subprocess.run(["etcdctl", "--endpoints", self.etcd_endpoints, "put", "/health", "ok"], capture_output=True,
                              env={**os.environ, "ETCDCTL_API": "3"}).returncode == 0:
                return True
            time.sleep(0.2)
        return False

    def kill_etcd(self, i):
        p = self.procs[f"etcd{i}"]
        p.send_signal(signal.SIGKILL); p.wait()

    def restart_etcd(self, i):
        self._start_etcd_member(i, existing=True)

    # --- brokers ---
    def start(self):
        self.start_etcd()
        for node in self.ids:
            self.start_broker(node)
        return self

    def start_broker(self, node):
        log_path = f"{self.work}/broker{node}.log"
        self.logs[node] = log_path
        endpoints = self.etcd_endpoints
        port = 0  # a restarted broker binds a new port; with proxies it advertises the same address
        args = ["dotnet", rill_dll(), "serve", "--set", f"log.dirs={self.work}/broker{node}",
                "--set", f"listeners=PLAINTEXT://127.0.0.1:{port}", "--set", "rill.http.listener=none",
                "--set", f"node.id={node}", "--set", f"rill.metadata.etcd.prefix={self.prefix}"]
        if self.proxied:
            if node not in self.listener_proxy:
                self.listener_proxy[node] = Proxy()
                self.etcd_proxies[node] = [Proxy(c) for c, _ in self.etcd_ports]
            elif not self.listener_proxy[node].listening:
                self.listener_proxy[node].listen()
            endpoints = ",".join(f"http://127.0.0.1:{p.port}" for p in self.etcd_proxies[node])
            args += ["--set", f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.listener_proxy[node].port}"]
        args += ["--set", f"rill.metadata.etcd.endpoints={endpoints}"]
        for prop in self.properties:
            args += ["--set", prop]
        start = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        log = open(log_path, "a")
        self.procs[node] = subprocess.Popen(args, stdout=log, stderr=log)
        for _ in range(600):
            with open(log_path) as f:
                f.seek(start)
                m = re.search(r"Rill listening on 127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.ports[node] = int(m.group(1))
                if self.proxied:
                    self.listener_proxy[node].upstream = self.ports[node]
                    self.addresses[node] = f"127.0.0.1:{self.listener_proxy[node].port}"
                else:
                    self.addresses[node] = f"127.0.0.1:{self.ports[node]}"
                return self.addresses[node]
            if self.procs[node].poll() is not None:
                raise SystemExit(f"broker {node} exited at start: see {log_path}")
            time.sleep(0.1)
        raise SystemExit(f"broker {node} did not start")

    def bootstrap(self, except_ids=()):
        return ",".join(a for n, a in self.addresses.items() if n not in except_ids)

    def direct(self, node):
        return f"127.0.0.1:{self.ports[node]}"

    def kill(self, node):
        p = self.procs[node]
        p.send_signal(signal.SIGKILL); p.wait()
        if self.proxied:
            self.listener_proxy[node].stop_listening()  # its advertised port refuses, as the dead process's would

    def pause(self, node): self.procs[node].send_signal(signal.SIGSTOP)

    def resume(self, node): self.procs[node].send_signal(signal.SIGCONT)

    def isolate(self, node):
        for p in [self.listener_proxy[node], *self.etcd_proxies[node]]:
            p.cut()

    def heal(self, node):
        for p in [self.listener_proxy[node], *self.etcd_proxies[node]]:
            p.heal()

    def log(self, node):
        with open(self.logs[node], errors="replace") as f:
            return f.read()

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                try: p.send_signal(signal.SIGCONT)
                except OSError: pass
                p.kill(); p.wait()
        for p in list(self.listener_proxy.values()) + [x for ps in self.etcd_proxies.values() for x in ps]:
            p.close()
        if not os.environ.get("KEEP"):
            subprocess.run(["rm", "-rf", self.work])
        else:
            print(f"kept {self.work}")
