package dev.gatehouse.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void cpu_ticks_are_utime_plus_stime_even_with_spaces_and_parens_in_the_name() {
        String stat = "4242 (java (my) app) S 1 4242 4242 0 -1 4194560 12345 0 0 0 1500 250 3 4 20 0 42 0 "
                + "1000 5000000 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertThat(ProcStat.parseCpuTicks(stat)).isEqualTo(1750);
    }

    @Test
    void rss_is_read_in_bytes() {
        String status = "Name:\tjava\nVmPeak:\t 5000 kB\nVmRSS:\t  123456 kB\nThreads:\t42\n";
        assertThat(ProcStat.parseRssBytes(status)).isEqualTo(123_456L * 1024);
    }

    @Test
    void reads_this_process() throws Exception {
        ProcStat p = ProcStat.system();
        long pid = ProcessHandle.current().pid();
        assertThat(p.cpuSeconds(pid)).isGreaterThan(0);
        assertThat(p.rssBytes(pid)).isGreaterThan(1024 * 1024);
    }

    @Test
    void heap_info_of_g1_and_serial() {
        String g1 = " garbage-first heap   total 262144K, used 10240K [0x0000000080000000, 0x0000000100000000)\n"
                + "  region size 1024K, 3 young (3072K), 0 survivors (0K)\n"
                + " Metaspace       used 1000K, committed 1200K, reserved 1114112K\n";
        assertThat(JvmHeap.parseUsed(g1)).isEqualTo(OptionalLong.of(10240L * 1024));
        String serial = " def new generation   total 4928K, used 100K [0x1, 0x2, 0x3)\n"
                + " tenured generation   total 10944K, used 900K [0x4, 0x5, 0x6)\n";
        assertThat(JvmHeap.parseUsed(serial)).isEqualTo(OptionalLong.of(1000L * 1024));
        assertThat(JvmHeap.parseUsed("nothing here")).isEmpty();
    }

    @Test
    void open_files_hard_limit() {
        String limits = "Limit                     Soft Limit           Hard Limit           Units\n"
                + "Max open files            1024                 20000                files\n";
        assertThat(dev.gatehouse.bench.harness.OpenFilesLimit.parseHard(limits)).isEqualTo(20000);
    }
}
