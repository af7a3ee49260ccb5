package io.handoff.parse;

import io.handoff.avro.KernelEventKind;
import io.handoff.avro.KernelFields;
import io.handoff.avro.SourceKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class KernelParserTest {
    static final long BOOT = Instant.parse("2026-11-21T08:00:00Z").toEpochMilli();
    static final ParseContext CTX = new ParseContext(ZoneId.of("UTC"), BOOT, 2026);

    private static KernelFields parse(String line) {
        return P.fields(SourceKind.KERN, null, line, CTX, KernelFields.class);
    }

    @Test
    void oomKillCurrentForm() {
        ParseOutcome.Parsed p = P.parsed(SourceKind.KERN, null, "[ 1171.795551] Memory cgroup out of memory: Killed process 4971 (netdata) "
                + "total-vm:47820kB, anon-rss:7560kB, file-rss:0kB, shmem-rss:0kB, UID:201 pgtables:100kB oom_score_adj:1000", CTX);
        P.time("2026-11-21T08:19:31.796Z", p);
        KernelFields f = (KernelFields) p.fields();
        assertEquals(KernelEventKind.OOM_KILLED, f.getKind());
        assertEquals(4971, f.getPid());
        assertEquals("netdata", f.getProcess());
        assertEquals(201, f.getUid());
        assertEquals(47820L, f.getTotalVmKb());
        assertEquals(7560L, f.getAnonRssKb());
        assertEquals(0L, f.getFileRssKb());
        assertEquals(0L, f.getShmemRssKb());
        assertEquals(1171.795551, f.getBootSeconds());
    }

    @Test
    void oomFamilies() {
        KernelFields rhel6 = parse("Jul 27 14:41:57 combo kernel: Killed process 11726, UID 498, (mysqld) total-vm:7823732kB, anon-rss:2539268kB, file-rss:768kB");
        assertEquals(KernelEventKind.OOM_KILLED, rhel6.getKind());
        assertEquals(11726, rhel6.getPid());
        assertEquals(498, rhel6.getUid());
        assertEquals("mysqld", rhel6.getProcess());
        assertNull(rhel6.getShmemRssKb());

        KernelFields parens = parse("[  518.050606] Out of memory: Killed process 15925 ((resolved)) total-vm:11964kB, anon-rss:4288kB, file-rss:3028kB, shmem-rss:0kB");
        assertEquals("(resolved)", parens.getProcess());
        KernelFields spaces = parse("[  518.050606] Out of memory: Killed process 2279 (Web Content) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:4kB");
        assertEquals("Web Content", spaces.getProcess());

        KernelFields chosen = parse("May 07 21:43:54 doom kernel: Out of memory: Kill process 27438 (R) score 31 or sacrifice child");
        assertEquals(KernelEventKind.OOM_KILL_CHOSEN, chosen.getKind());
        assertEquals(27438, chosen.getPid());
        assertEquals("R", chosen.getProcess());

        KernelFields invoked = parse("Sep 13 13:13:42 n4 kernel: mailpit invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=999");
        assertEquals(KernelEventKind.OOM_INVOKED, invoked.getKind());
        assertEquals("mailpit", invoked.getProcess());
        assertNull(invoked.getPid());

        KernelFields summary = parse("[ 9.000001] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/test1,task_memcg=/test1,task=a.out,pid=9692,uid=-2");
        assertEquals(KernelEventKind.OOM_SUMMARY, summary.getKind());
        assertEquals("CONSTRAINT_MEMCG", summary.getConstraint());
        assertEquals("/test1", summary.getMemcg());
        assertEquals("a.out", summary.getProcess());
        assertEquals(9692, summary.getPid());
        assertEquals(-2, summary.getUid());
        KernelFields global = parse("[ 9.000001] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/php8.2-fpm.service,task=php-fpm8.2,pid=22077,uid=33");
        assertEquals("/system.slice/php8.2-fpm.service", global.getMemcg());
        assertEquals("php-fpm8.2", global.getProcess());
        assertEquals(22077, global.getPid());

        KernelFields reaped = parse("[ 9.5] oom_reaper: reaped process 15784 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB");
        assertEquals(KernelEventKind.OOM_REAPED, reaped.getKind());
        assertEquals(15784, reaped.getPid());
        assertEquals("python3", reaped.getProcess());
        assertEquals(0L, reaped.getAnonRssKb());

        assertEquals(KernelEventKind.OOM_NO_KILLABLE, parse("[ 9.5] Out of memory and no killable processes...").getKind());
    }

    @Test
    void taskTableRowIsNotAStamp() {
        KernelFields f = parse("[40526.379438] [   5323]     1  5323   120510    58957   720896        0             0 php-fpm");
        assertEquals(KernelEventKind.OTHER, f.getKind());
        assertEquals("[   5323]     1  5323   120510    58957   720896        0             0 php-fpm", f.getMessage());
        assertEquals(40526.379438, f.getBootSeconds());
        assertEquals("kernel line: no '[seconds.micros]' or '[Www Mmm dd HH:MM:SS YYYY]' stamp at column 1 (found '[ 7747]     0  7748  3226957  2875051   …')",
                P.failed(SourceKind.KERN, null, "[ 7747]     0  7748  3226957  2875051    5692        0             0 python", CTX));
    }

    @Test
    void segfaultsAndTraps() {
        ParseOutcome.Parsed p = P.parsed(SourceKind.KERN, null,
                "Nov 23 14:21:04 example kernel: [39307.319171] php5-fpm[7578]: segfault at 21 ip 00007f3897bbd094 sp 00007fff8ed6fb08 error 6 in libc-2.19.so[7f3897b30000+1bb000]", CTX);
        P.time("2026-11-23T14:21:04Z", p);
        KernelFields f = (KernelFields) p.fields();
        assertEquals(KernelEventKind.SEGFAULT, f.getKind());
        assertEquals(7578, f.getPid());
        assertEquals("php5-fpm", f.getProcess());
        assertEquals("21", f.getFaultAddress());
        assertEquals("00007f3897bbd094", f.getFaultIp());
        assertEquals("libc-2.19.so", f.getFaultObject());
        assertEquals(39307.319171, f.getBootSeconds());
        assertEquals("php5-fpm[7578]: segfault at 21 ip 00007f3897bbd094 sp 00007fff8ed6fb08 error 6 in libc-2.19.so[7f3897b30000+1bb000]", f.getMessage());

        KernelFields noObj = parse("Nov 23 14:47:56 example kernel: [40920.775440] php5-fpm[11049]: segfault at 54534f505f ip 00000054534f505f sp 00007fff8ed6fb08 error 14");
        assertNull(noObj.getFaultObject());
        assertEquals("54534f505f", noObj.getFaultAddress());

        KernelFields gp = parse("Nov 23 14:26:29 example kernel: [39632.885010] traps: php5-fpm[7954] general protection ip:6df1d9 sp:7fff8ed6fb10 error:0 in php5-fpm[400000+7a3000]");
        assertEquals(KernelEventKind.TRAP, gp.getKind());
        assertEquals(7954, gp.getPid());
        assertEquals("php5-fpm", gp.getProcess());
        assertEquals("6df1d9", gp.getFaultIp());
        assertEquals("php5-fpm", gp.getFaultObject());

        KernelFields tss = parse("[ 9.1] traps: php-fpm[169416] trap stack segment ip:559fa92148a1 sp:7ffdf392db20 error:0 in php-fpm[559fa8f3c000+3f3000]");
        assertEquals(KernelEventKind.TRAP, tss.getKind());
        assertEquals(169416, tss.getPid());

        ParseOutcome.Parsed t = P.parsed(SourceKind.KERN, null,
                "[Sat Oct  9 12:17:39 2021] php-fpm7.4[27264]: segfault at 0 ip 0000558716d5bd2b sp 00007fff98d051f0 error 4 in php-fpm7.4[558716b3d000+26d000]",
                ParseContext.of(ZoneId.of("Europe/Berlin")));
        P.time("2021-10-09T10:17:39Z", t);
        assertEquals("php-fpm7.4", ((KernelFields) t.fields()).getFaultObject());

        ParseOutcome.Parsed iso = P.parsed(SourceKind.KERN, null,
                "2026-11-21T10:46:19,489453+00:00 php-fpm8.2[9774]: segfault at 7ffd9ea5bff8 ip 000055e7b3e18422 sp 00007ffd9ea5c000 error 6 in php-fpm8.2[309422,55e7b3bec000+316000] likely on CPU 1 (core 1, socket 0)",
                ParseContext.UTC);
        P.time("2026-11-21T10:46:19.489Z", iso);
        KernelFields i = (KernelFields) iso.fields();
        assertEquals(9774, i.getPid());
        assertEquals("php-fpm8.2", i.getFaultObject());
        assertNull(i.getBootSeconds());

        KernelFields caller = parse("[  147.467058][T10579] syz-executor846[10579]: segfault at 4cb420 ip 00000000004cb420 sp 00007f27fd37a250 error 15");
        assertEquals("syz-executor846", caller.getProcess());
        assertEquals(10579, caller.getPid());
    }

    @Test
    void journaldShortIsoAndOtherLines() {
        ParseOutcome.Parsed p = P.parsed(SourceKind.KERN, null, "2026-11-21T10:39:48+0000 web-06 kernel: NET: Registered protocol family 10", ParseContext.UTC);
        P.time("2026-11-21T10:39:48Z", p);
        KernelFields f = (KernelFields) p.fields();
        assertEquals(KernelEventKind.OTHER, f.getKind());
        assertEquals("NET: Registered protocol family 10", f.getMessage());
    }

    @Test
    void deadLetters() {
        assertEquals("kernel line has only a since-boot stamp and the host's boot time is unknown",
                P.failed(SourceKind.KERN, null, "[ 1171.795551] Out of memory: Killed process 1669 (x)", ParseContext.UTC));
        assertEquals("kernel line: no timestamp: expected '[seconds.micros]', '[Www Mmm dd HH:MM:SS YYYY]', an ISO time or a syslog 'Mon DD HH:MM:SS' at column 1 (found '*** stack smashing detected ***: termina…')",
                P.failed(SourceKind.KERN, null, "*** stack smashing detected ***: terminated", CTX));
        assertEquals("kernel line: no 'HOST kernel: ' after the syslog timestamp at column 17 (found 'host systemd[1]: Started x')",
                P.failed(SourceKind.KERN, null, "Nov 23 14:21:04 host systemd[1]: Started x", CTX));
    }
}
