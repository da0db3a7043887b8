namespace OnCallBot.Host.Tests.EndToEnd;

/// <summary>
/// The tests that start the bot as a process run one after another: on a 2-core machine, several bots starting at
/// once (JIT, migrations, Quartz) push a slash command past the bot's 2-second answer deadline, and it rightly answers
/// "working on it" instead of the result the test reads.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BotProcesses
{
    public const string Name = "Bot processes";
}
