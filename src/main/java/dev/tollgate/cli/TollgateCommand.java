package dev.tollgate.cli;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tollgate}: the command line in the server's jar. Without a command (or with only Spring
 * options such as {@code --server.port=8081}) the jar runs the server; with a command it runs the
 * command and never starts Spring. The subcommands are registered in {@link #SUBCOMMANDS}, the one
 * place to add another (a nested group such as {@code audit verify} is a {@link CommandLine} of its own).
 */
@Command(name = "tollgate", mixinStandardHelpOptions = true, versionProvider = TollgateCommand.Version.class,
        description = "Tollgate, the policy decision server for software supply chains: its policy author's and pipeline's tools.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Without a command, the jar runs the server (java -jar tollgate.jar [--spring.property=value...])."})
public class TollgateCommand implements Runnable {

    /** The subcommands, in the order --help lists them. */
    static final List<Supplier<Object>> SUBCOMMANDS = List.of(
            LintCommand::new,
            TestCommand::new,
            EvalCommand::new,
            DecideCommand::new,
            ReplayCommand::new,
            // tollgate audit verify: the offline verifier of an export against signed checkpoints
            () -> new CommandLine(new AuditGroup()).addSubcommand(new dev.tollgate.ledger.AuditVerifyCommand())
    );

    /** {@code tollgate audit}: the decision log's offline tools. */
    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = "The decision log's offline tools (docs/audit.md).", commandListHeading = "%nCommands:%n")
    static final class AuditGroup implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    private static final Set<String> TOP_LEVEL_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with every subcommand. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new TollgateCommand());
        for (Supplier<Object> sub : SUBCOMMANDS) {
            Object command = sub.get();
            if (command instanceof CommandLine nested) {
                cli.addSubcommand(nested);
            } else {
                cli.addSubcommand(command);
            }
        }
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof Workbench.Problem) {
                line.getErr().println("tollgate: " + e.getMessage());
                return ExitCodes.ERROR;
            }
            throw e;
        });
        return cli;
    }

    /**
     * Whether these arguments are for the command line rather than the server: a first argument
     * that is not an option (a command, or a misspelt one, which is refused with the usage), or
     * a top-level help or version option. Spring's {@code --name=value} options start the server.
     */
    public static boolean isCommand(String[] args) {
        if (args.length == 0) {
            return false;
        }
        return !args[0].startsWith("-") || TOP_LEVEL_OPTIONS.contains(args[0]);
    }

    public static int run(String[] args) {
        return commandLine().execute(args);
    }

    /** Exit codes shared by the commands. */
    static final class ExitCodes {
        /** allowed, every test passed, no lint error */
        static final int OK = 0;
        /** denied, a test failed, a lint error */
        static final int FAILED = 1;
        /** no decision (server unreachable or refusing), bad usage, or material that cannot be used */
        static final int ERROR = 2;

        private ExitCodes() {
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TollgateCommand.class.getPackage().getImplementationVersion();
            return new String[] {"tollgate " + (version == null ? "(development build)" : version)};
        }
    }
}
