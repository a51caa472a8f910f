package io.chainpulse.cli.report;

import java.util.List;

/** Lines of a report's input that cannot be read, each as {@code file:line: reason}, one per line of the message. */
public final class ReportInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ReportInputException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
