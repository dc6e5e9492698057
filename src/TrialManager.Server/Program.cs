using TrialManager.Server.Hosting;

// Verbs: (none) serve; `migrate` apply migrations and exit. Flag: --seed-demo (Development) adds the demo trial;
// --seed-demo=<participants> or --seed-demo=large (10,000, in bulk) seeds more of them (docs/demo-data.md).
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
var seedDemoArgument = args.LastOrDefault(a => a == "--seed-demo" || a.StartsWith("--seed-demo=", StringComparison.Ordinal));
int? seedDemo = seedDemoArgument is null ? null : DemoSeeder.ParticipantsFrom(seedDemoArgument);
if (seedDemoArgument is not null && seedDemo is null)
{
    await Console.Error.WriteLineAsync($"{seedDemoArgument}: give --seed-demo, --seed-demo=large, --seed-demo=large:<participants> or --seed-demo=<participants, 1 to 100000>.");
    return 2;
}

var hostArgs = args.Skip(verb is null ? 0 : 1).Where(a => a != seedDemoArgument).ToArray();

var builder = WebApplication.CreateBuilder(hostArgs);
builder.AddTrialManager();
var app = builder.Build();

switch (verb)
{
    case null:
        break;
    case "migrate":
        await app.MigrateAsync();
        return 0;
    default:
        await Console.Error.WriteLineAsync($"Unknown verb '{verb}'. Verbs: migrate. Flags: --seed-demo.");
        return 2;
}

await app.EnsureSchemaAsync();
app.UseTrialManager();
await app.PrepareAsync();
if (seedDemo is { } participants)
{
    await DemoSeeder.SeedAsync(app, participants, bulk: DemoSeeder.IsBulk(seedDemoArgument!));
}

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
