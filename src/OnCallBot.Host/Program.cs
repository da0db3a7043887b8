using OnCallBot.Configuration;
using OnCallBot.Host.Cli;
using OnCallBot.Host.Hosting;
using OnCallBot.Scheduling;
using OnCallBot.Slack;
using OnCallBot.Storage;
using OnCallBot.Teams;

if (OnCallCli.IsCliInvocation(args))
{
    return await OnCallCli.RunAsync(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // Settings and static files ship beside the executable; relative data paths stay relative to where the bot runs.
    ContentRootPath = AppContext.BaseDirectory,
});
SettingsSources.AddWorkingDirectorySettings(builder.Configuration);
builder.UseDefaultAddressUnlessSet();
builder.AddOnCallLogging();

// Order matters for start-up: the store migrates first, then the on-call config loads (it may fall back to the
// last good snapshot in the store), then the scheduler starts firing escalation steps that read both.
builder.Services
    .AddOnCallStorage()
    .AddOnCallConfiguration()
    .AddOnCallScheduling(builder.Configuration)
    .AddOnCallPaging(builder.Configuration)
    .AddOnCallCoordination(builder.Configuration)
    .AddSlack()
    .AddTeams();
builder.Services.AddOnCallHealth();

var app = builder.Build();
app.UseOnCallRequestLogging();
app.MapOnCallHealth();
app.MapSlack();
app.MapTeams();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the functional tests.</summary>
public partial class Program;
