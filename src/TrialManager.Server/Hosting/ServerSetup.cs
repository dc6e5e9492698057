using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Http.Json;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;
using TrialManager.Infrastructure.Jobs;
using TrialManager.Infrastructure.Notifications;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;
using TrialManager.Server.Features.Exports;
using TrialManager.Server.Features.Instruments;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Jobs;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Hosting;

/// <summary>Everything the server registers, in one place, in the order a reader would look for it.</summary>
public static class ServerSetup
{
    public static WebApplicationBuilder AddTrialManager(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // Persistence and jobs: the provider comes from configuration; SQLite under ./data by default.
        var paths = DataPaths.From(configuration);
        var database = DatabaseSettings.From(configuration, paths);
        services.AddSingleton(paths);
        services.AddTrialPersistence(database);
        services.AddTrialJobs(
            database,
            configuration.GetValue<int?>("TrialManager:Jobs:WorkerCount") ?? Math.Max(2, Environment.ProcessorCount),
            TimeSpan.FromSeconds(configuration.GetValue<double?>("TrialManager:Jobs:ShutdownTimeoutSeconds") ?? 5));
        services.AddSingleton(new DocumentStore(paths.DocumentsDirectory));
        services.AddSingleton(new LowPriorityWork(
            configuration.GetValue<int?>("TrialManager:Documents:RenderThreads") ?? Environment.ProcessorCount));
        var protocolsDirectory = configuration["TrialManager:ProtocolsDirectory"] is { Length: > 0 } protocols
            ? Path.GetFullPath(protocols)
            : ProtocolLibrary.DefaultDirectory;
        services.AddSingleton(_ => ProtocolLibrary.Load(protocolsDirectory));
        services.AddInstrumentCatalogue(protocolsDirectory, configuration);
        // Development: the system clock that --seed-demo may set back while it plays the demo trial's history.
        services.AddSingleton<TimeProvider>(builder.Environment.IsDevelopment() ? new DemoClock() : TimeProvider.System);
        // The audit chain's key, outside the database; loaded (or refused) when the server prepares to serve.
        services.AddSingleton(_ => AuditKey.Load(configuration, paths, database.Provider, builder.Environment.IsDevelopment()));
        services.AddSingleton(ReportSettings.From(configuration));
        // E-mail and webhooks for safety alerts: off unless configured; a half-configured channel refuses to start.
        services.AddSingleton(NotificationSettings.From(configuration));
        services.AddSingleton<NotificationSender>();
        services.AddSingleton(QuestionnaireLinkSettings.From(configuration));

        // Commands and queries: validation, then the write transaction, then the audit, then the handler.
        services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.PipelineBehaviors = [typeof(ValidationBehavior<,>), typeof(TransactionBehavior<,>), typeof(AuditBehavior<,>)];
        });
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.LanguageManager.Enabled = false;
        // A rule stops at its first failure: later checks in a chain (s!.Count after NotEmpty) assume the earlier ones held.
        ValidatorOptions.Global.DefaultRuleLevelCascadeMode = CascadeMode.Stop;
        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        services.AddScoped<AfterCommit>();
        services.AddScoped<WriteTransaction>();
        services.AddScoped<AuditTrail>();
        services.AddScoped<DocumentJobs>();
        services.AddScoped<IOwedWork>(s => s.GetRequiredService<DocumentJobs>());
        services.AddScoped<ReportSchedule>();
        services.AddScoped<NotificationOutbox>();
        services.AddScoped<AnalysisExport>();
        services.AddScoped<OdmExport>();
        services.AddScoped<TrialFreezer>();
        services.AddScoped<ReportModels>();
        services.AddHostedService<OwedWorkSweeper>();
        services.AddHostedService<PermissionDenialAuditor>();
        services.AddServerHealthChecks();

        // Who is calling: API keys (hashed, constant-time) mapped to the four roles.
        services.AddTrialAuthentication(configuration, builder.Environment);
        // The pages sign in with the same keys into a cookie session of their own scheme (Security/PageSession.cs).
        services.AddTrialManagerPages();

        // HTTP: camelCase JSON with string enums, problem details for every failure, bounded bodies.
        services.Configure<JsonOptions>(o =>
        {
            ConfigureJson(o.SerializerOptions);
            // A misspelled member ("exclusion") must be a 400 naming it, not silently an absent answer.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestHardening.MaxRequestBodyBytes);
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi(o => o.AddOperationTransformer<OpenApiPaging>());
        return builder;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MaxDepth = 16;
        options.NumberHandling = JsonNumberHandling.Strict;
    }
}
