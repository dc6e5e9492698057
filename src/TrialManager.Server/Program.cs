using TrialManager.Server.Hosting;

// Verbs: (none) serve; `migrate` apply migrations and exit. Flag: --seed-demo (Development) adds the demo trial.
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
var seedDemo = args.Contains("--seed-demo");
var hostArgs = args.Skip(verb is null ? 0 : 1).Where(a => a != "--seed-demo").ToArray();

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
if (seedDemo)
{
    await DemoSeeder.SeedAsync(app);
}

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
