//! `ikou batch slurm` on a real Slurm: the test starts MUNGE and a single-node
//! Slurm (slurmctld + slurmd) configured for localhost in a temporary directory,
//! submits the bundled JOBS file (6 jobs) as a job array with the script ikou
//! writes, waits, checks every job's manifest, the tasks' exit status and the
//! roll-up, and stops the daemons.
//!
//! Needs root (the daemons run as root, as on the test machine) and Debian's
//! slurm-wlm and munge: build.rs sets `ikou_slurm` when they are installed, so
//! without them the test reports "ignored", never "passed".

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The daemons, stopped (SIGTERM, then SIGKILL) when dropped, whatever happens.
struct Daemons(Vec<(&'static str, Child)>);

impl Drop for Daemons {
    fn drop(&mut self) {
        // slurmd first (it ends its job steps), then the controller, then MUNGE.
        for (_, c) in self.0.iter_mut().rev() {
            if let Ok(pid) = i32::try_from(c.id()) {
                // SAFETY: kill(2) on a child of this process, by its own id.
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
            let until = Instant::now() + Duration::from_secs(5);
            while Instant::now() < until {
                if matches!(c.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn find(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not installed (apt-get install slurm-wlm munge)"))
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        let dest = to.join(e.file_name());
        if ft.is_dir() {
            if !e.path().ends_with("batch/out") {
                copy_tree(&e.path(), &dest);
            }
        } else if ft.is_file() {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Polls `f` every 200 ms until it returns Some, or panics after `secs`
/// with `what` and the daemons' logs.
fn wait_for<T>(secs: u64, what: &str, logs: &Path, mut f: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() > until {
            let mut all = String::new();
            for n in ["slurmctld.log", "slurmd.log", "munged.log"] {
                let t = fs::read_to_string(logs.join(n)).unwrap_or_default();
                let tail: Vec<&str> = t.lines().rev().take(20).collect();
                all.push_str(&format!(
                    "--- {n}\n{}\n",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ));
            }
            panic!("timed out waiting for {what}\n{all}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn output(c: &mut Command) -> (bool, String, String) {
    let o = c.output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
#[cfg_attr(
    not(ikou_slurm),
    ignore = "Slurm (slurm-wlm) and munge are not installed"
)]
fn job_array_on_a_single_node_slurm() {
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "the test runs slurmctld and slurmd as root"
    );
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    for d in ["munge", "state", "spool", "log", "logs"] {
        fs::create_dir_all(t.join(d)).unwrap();
    }
    // MUNGE: a key of our own, a socket in the temporary directory.
    let key = t.join("munge/munge.key");
    let mut bytes = vec![0u8; 1024];
    use std::io::Read;
    fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(&mut bytes)
        .unwrap();
    fs::write(&key, &bytes).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    let socket = t.join("munge/munge.socket");
    let logs = t.join("log");
    let mut daemons = Daemons(Vec::new());
    let munged = Command::new(find("munged"))
        .arg("--foreground")
        .arg("--force")
        .arg(format!("--socket={}", socket.display()))
        .arg(format!("--key-file={}", key.display()))
        .arg(format!("--log-file={}", logs.join("munged.log").display()))
        .arg(format!(
            "--pid-file={}",
            t.join("munge/munged.pid").display()
        ))
        .arg(format!(
            "--seed-file={}",
            t.join("munge/munged.seed").display()
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    daemons.0.push(("munged", munged));
    wait_for(30, "munged's socket", &logs, || {
        socket.exists().then_some(())
    });

    // Slurm: one node, this machine, no cgroups, everything under `t`.
    let host = output(&mut Command::new("hostname")).1.trim().to_string();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let conf = t.join("slurm.conf");
    let (ctld_port, d_port) = (free_port(), free_port());
    let p = |n: &str| t.join(n).display().to_string();
    fs::write(
        &conf,
        format!(
            "ClusterName=ikoutest\n\
             SlurmctldHost=localhost(127.0.0.1)\n\
             SlurmctldPort={ctld_port}\n\
             SlurmdPort={d_port}\n\
             SlurmUser=root\n\
             SlurmdUser=root\n\
             AuthType=auth/munge\n\
             CredType=cred/munge\n\
             AuthInfo=socket={socket}\n\
             ProctrackType=proctrack/linuxproc\n\
             TaskPlugin=task/none\n\
             SelectType=select/cons_tres\n\
             SelectTypeParameters=CR_Core\n\
             JobAcctGatherType=jobacct_gather/none\n\
             AccountingStorageType=accounting_storage/none\n\
             JobCompType=jobcomp/none\n\
             SwitchType=switch/none\n\
             MpiDefault=none\n\
             StateSaveLocation={state}\n\
             SlurmdSpoolDir={spool}\n\
             SlurmctldPidFile={ctldpid}\n\
             SlurmdPidFile={dpid}\n\
             SlurmctldLogFile={ctldlog}\n\
             SlurmdLogFile={dlog}\n\
             ReturnToService=2\n\
             SchedulerType=sched/backfill\n\
             SchedulerParameters=sched_interval=1\n\
             InactiveLimit=0\n\
             KillWait=5\n\
             MinJobAge=600\n\
             NodeName=localhost NodeHostname={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN\n\
             PartitionName=ikou Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES\n",
            socket = socket.display(),
            state = p("state"),
            spool = p("spool"),
            ctldpid = p("slurmctld.pid"),
            dpid = p("slurmd.pid"),
            ctldlog = logs.join("slurmctld.log").display(),
            dlog = logs.join("slurmd.log").display(),
        ),
    )
    .unwrap();
    let slurm = |prog: &str| {
        let mut c = Command::new(find(prog));
        c.env("SLURM_CONF", &conf);
        c
    };
    let ctld = slurm("slurmctld")
        .args(["-D", "-i", "-f"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    daemons.0.push(("slurmctld", ctld));
    wait_for(60, "slurmctld", &logs, || {
        output(slurm("scontrol").arg("ping"))
            .1
            .contains("UP")
            .then_some(())
    });
    let d = slurm("slurmd")
        .args(["-D", "-N", "localhost", "-f"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    daemons.0.push(("slurmd", d));
    wait_for(60, "the node to be idle", &logs, || {
        let (_, out, _) = output(slurm("sinfo").args(["-h", "-o", "%T"]));
        (out.trim() == "idle").then_some(())
    });

    // The batch: the bundled JOBS file over a copy of testdata.
    copy_tree(&common::root().join("testdata"), &t.join("testdata"));
    let jobs = t.join("testdata/batch/JOBS.toml");
    let (ok, script, err) = output(
        common::ikou()
            .args(["batch", "slurm"])
            .arg(&jobs)
            .args(["--max-parallel", "3", "--partition", "ikou", "--log-dir"])
            .arg(t.join("logs")),
    );
    assert!(ok, "{err}");
    assert!(script.contains("#SBATCH --array=0-5%3"), "{script}");
    let script_path = t.join("ikou.sbatch");
    fs::write(&script_path, &script).unwrap();
    let (ok, out, err) = output(
        slurm("sbatch")
            .arg("--parsable")
            .arg(&script_path)
            .current_dir(t)
            .env_remove("SLURM_ARRAY_TASK_ID"),
    );
    assert!(ok, "sbatch failed: {err}");
    let array_id = out.trim().split(';').next().unwrap().to_string();
    assert!(array_id.chars().all(|c| c.is_ascii_digit()), "{out}");

    // Wait until every task has finished: none left in the queue.
    wait_for(180, "the job array to finish", &logs, || {
        let (ok, out, _) = output(slurm("squeue").args(["-h", "-j", &array_id]));
        (ok && out.trim().is_empty()).then_some(())
    });

    // Each task's state and exit status as Slurm recorded it.
    let (_, show, _) = output(slurm("scontrol").args(["show", "job", &array_id, "-o"]));
    let mut tasks: Vec<(usize, String, String)> = show
        .lines()
        .filter_map(|l| {
            let field = |k: &str| {
                l.split_whitespace()
                    .find_map(|w| w.strip_prefix(k))
                    .map(String::from)
            };
            Some((
                field("ArrayTaskId=")?.parse().ok()?,
                field("JobState=")?,
                field("ExitCode=")?,
            ))
        })
        .collect();
    tasks.sort();
    assert_eq!(tasks.len(), 6, "{show}");
    for (i, state, code) in &tasks {
        // Every sample has rejected records: ikou's exit status 3 reaches Slurm.
        assert_eq!(
            (state.as_str(), code.as_str()),
            ("FAILED", "3:0"),
            "task {i}\n{show}"
        );
        let log = fs::read_to_string(t.join(format!("logs/ikou-{array_id}_{i}.out"))).unwrap();
        assert!(
            log.contains(&format!("ikou batch: job {i} ")) && log.contains(": converted, exit 3"),
            "task {i}: {log}"
        );
    }
    let ids = [
        "mihon-juki",
        "mihon-juki-fixed",
        "mihon-kojin",
        "shiken-juki",
        "shiken-kojin",
        "shiken-kojin-euc",
    ];
    for id in ids {
        let m = common::read_manifest(&t.join("testdata/batch/out").join(id));
        assert!(m["counts"]["read"].as_u64().unwrap() > 0, "{id}");
        assert_eq!(
            m["counts"]["read"].as_u64(),
            m["counts"]["written"]
                .as_u64()
                .zip(m["counts"]["rejected"].as_u64())
                .map(|(a, b)| a + b)
        );
    }
    // Same results as on one machine: status says done; the roll-up has them all.
    let (ok, out, err) = output(common::ikou().args(["batch", "status"]).arg(&jobs));
    assert!(ok, "{out}{err}");
    let rollup = t.join("rollup");
    let (ok, _, err) = output(
        common::ikou()
            .args(["batch", "report"])
            .arg(&jobs)
            .arg("--out")
            .arg(&rollup),
    );
    assert!(ok, "{err}");
    let r: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(rollup.join("rollup.json")).unwrap()).unwrap();
    let jobs_done: Vec<&str> = r["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["state"] == "done" && j["report"].is_string())
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(jobs_done, ids);
    assert!(
        fs::read_to_string(rollup.join("rollup.html"))
            .unwrap()
            .contains("一括変換 集計報告書")
    );
    drop(daemons);
    // Reported, not asserted: a slow CI machine must not fail a correct run (each
    // wait above has its own bound).
    eprintln!("Slurm test took {:?}", started.elapsed());
}
