using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class MeasureConfiguration : IEntityTypeConfiguration<Measure>
{
    public void Configure(EntityTypeBuilder<Measure> builder)
    {
        builder.ToTable("Measures");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.TrialId).HasMaxLength(40);
        builder.Property(m => m.ParticipantId).HasMaxLength(64);
        builder.Property(m => m.Instrument).HasMaxLength(40);
        builder.Property(m => m.Version).HasMaxLength(20);
        builder.Property(m => m.Visit).HasMaxLength(40);
        builder.Property(m => m.Band).HasMaxLength(40);
        builder.Property(m => m.Answers).HasJsonConversion().HasMaxLength(4_000);
        builder.Property(m => m.Scores).HasJsonConversion().HasMaxLength(2_000);
        builder.HasOne<Participant>().WithMany().HasForeignKey(m => m.ParticipantId).OnDelete(DeleteBehavior.Restrict);
        // Once per instrument and session, or visit: the database refuses a second even if two requests race (a null
        // session or visit is distinct in both indexes; SQL Server's are filtered on it by EF).
        builder.HasIndex(m => new { m.ParticipantId, m.Instrument, m.Session }).IsUnique();
        builder.HasIndex(m => new { m.ParticipantId, m.Instrument, m.Visit }).IsUnique();
    }
}

internal sealed class SafetyAlertConfiguration : IEntityTypeConfiguration<SafetyAlert>
{
    public void Configure(EntityTypeBuilder<SafetyAlert> builder)
    {
        builder.ToTable("SafetyAlerts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.TrialId).HasMaxLength(40);
        builder.Property(a => a.ParticipantId).HasMaxLength(64);
        builder.Property(a => a.Site).HasMaxLength(16);
        builder.Property(a => a.Instrument).HasMaxLength(40);
        builder.Property(a => a.Rule).HasMaxLength(40);
        builder.Property(a => a.AcknowledgedBy).HasMaxLength(200);
        builder.Property(a => a.Action).HasMaxLength(2_000);
        builder.HasOne<Measure>().WithMany().HasForeignKey(a => a.MeasureId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.TrialId, a.Site });
    }
}
