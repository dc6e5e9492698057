using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Blinding;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Notifications;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Auditing;

namespace TrialManager.Infrastructure.Persistence;

public sealed class TrialDbContext(DbContextOptions<TrialDbContext> options) : DbContext(options)
{
    public DbSet<Trial> Trials => Set<Trial>();
    public DbSet<Participant> Participants => Set<Participant>();
    public DbSet<ParticipantAllocation> Allocations => Set<ParticipantAllocation>();
    public DbSet<Correction> Corrections => Set<Correction>();
    public DbSet<DataQuery> DataQueries => Set<DataQuery>();
    public DbSet<Therapist> Therapists => Set<Therapist>();
    public DbSet<Measure> Measures => Set<Measure>();
    public DbSet<SafetyAlert> SafetyAlerts => Set<SafetyAlert>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<QuestionnaireLink> QuestionnaireLinks => Set<QuestionnaireLink>();
    public DbSet<RandomizationState> RandomizationStates => Set<RandomizationState>();
    public DbSet<SiteCounter> SiteCounters => Set<SiteCounter>();
    public DbSet<ParticipantCount> ParticipantCounts => Set<ParticipantCount>();
    public DbSet<ProtocolDocument> ProtocolDocuments => Set<ProtocolDocument>();
    public DbSet<Report> Reports => Set<Report>();
    public DbSet<ReportSignature> ReportSignatures => Set<ReportSignature>();
    public DbSet<Unblinding> Unblindings => Set<Unblinding>();
    public DbSet<BlindingGuess> BlindingGuesses => Set<BlindingGuess>();
    public DbSet<DataFreeze> Freezes => Set<DataFreeze>();
    public DbSet<ReferenceCase> ReferenceCases => Set<ReferenceCase>();
    public DbSet<PracticeRating> PracticeRatings => Set<PracticeRating>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TrialDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name: readable in the database and stable when members are reordered.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<string>().HaveMaxLength(200);
        if (Database.IsSqlite())
        {
            // SQLite has no instant type: fixed-width UTC text sorts and compares in SQL (see the converter).
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<SortableInstantConverter>();
        }
    }
}
