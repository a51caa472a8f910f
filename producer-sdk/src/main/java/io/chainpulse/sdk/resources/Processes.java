package io.chainpulse.sdk.resources;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import oshi.SystemInfo;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/** Finds the process a sidecar ({@code ./chainpulse collect}) samples, by pid or by name. */
public final class Processes {
    /** A running process: its pid, its name and its command line (empty when not readable). */
    public record Found(long pid, String name, String commandLine) {
        @Override
        public String toString() {
            return pid + " (" + (commandLine.isBlank() ? name : commandLine) + ")";
        }
    }

    private Processes() {}

    /** The process with this pid, if it is running. */
    public static Optional<Found> byPid(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        OSProcess p = new SystemInfo().getOperatingSystem().getProcess((int) pid);
        return Optional.ofNullable(p).map(Processes::found);
    }

    /**
     * Running processes named {@code name}, this one excluded, by pid: the kernel's name (what {@code ps -o comm}
     * and {@code pgrep -x} match, at most 15 characters on Linux) or the file name of the command's first word.
     */
    public static List<Found> named(String name) {
        OperatingSystem os = new SystemInfo().getOperatingSystem();
        int self = os.getProcessId();
        return os.getProcesses(p -> p.getProcessID() != self && matches(p, name),
                Comparator.comparingInt(OSProcess::getProcessID), 0).stream().map(Processes::found).toList();
    }

    private static boolean matches(OSProcess p, String name) {
        if (name.equals(p.getName())) {
            return true;
        }
        List<String> args = p.getArguments();
        if (args.isEmpty()) {
            return false;
        }
        String first = args.get(0);
        return name.equals(first.substring(first.lastIndexOf('/') + 1));
    }

    private static Found found(OSProcess p) {
        // control characters (a newline in a script passed with -c) would break the one-line messages naming it
        return new Found(p.getProcessID(), p.getName(),
                String.join(" ", p.getArguments()).replaceAll("\\p{Cntrl}+", " ").strip());
    }
}
