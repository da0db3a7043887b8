using System.CommandLine;

namespace OnCallBot.Host.Cli;

/// <summary>
/// The admin command line, as verbs of the host executable: <c>who</c> and <c>config validate</c>.
/// Anything else starts the web host.
/// </summary>
internal static class OnCallCli
{
    private static readonly string[] Verbs = ["who", "config", "--help", "-h", "-?", "help"];

    public static bool IsCliInvocation(string[] args) =>
        args.Length > 0 && Verbs.Contains(args[0], StringComparer.OrdinalIgnoreCase);

    /// <param name="args">The command line.</param>
    /// <param name="output">Where answers go (standard output).</param>
    /// <param name="error">Where problems go (standard error).</param>
    /// <param name="settings">Settings layered over every other source (tests use it for a throwaway store).</param>
    /// <param name="cancellationToken">Stops the command.</param>
    public static Task<int> RunAsync(
        string[] args,
        TextWriter output,
        TextWriter error,
        IReadOnlyDictionary<string, string?>? settings = null,
        CancellationToken cancellationToken = default)
    {
        var root = new RootCommand(
            "OnCallBot: chat-first on-call and incident bot. Run without arguments to start the bot; these verbs are for admins.");
        root.Subcommands.Add(WhoCommand.Create(output, error, settings));
        root.Subcommands.Add(ConfigCommand.Create(output, error, settings));
        if (args.Length > 0 && args[0].Equals("help", StringComparison.OrdinalIgnoreCase))
        {
            args = ["--help"];
        }
        var parsed = root.Parse(args);
        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }
}
