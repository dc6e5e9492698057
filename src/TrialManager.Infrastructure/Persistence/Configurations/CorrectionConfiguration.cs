using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Participants;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class CorrectionConfiguration : IEntityTypeConfiguration<Correction>
{
    public void Configure(EntityTypeBuilder<Correction> builder)
    {
        // Rows are only ever added: the first correction's OldValue is the value as originally entered.
        builder.ToTable("Corrections");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.TrialId).HasMaxLength(40);
        builder.Property(c => c.ParticipantId).HasMaxLength(64);
        builder.Property(c => c.Target).HasMaxLength(60);
        builder.Property(c => c.Field).HasMaxLength(60);
        builder.Property(c => c.OldValue).HasMaxLength(2_000);
        builder.Property(c => c.NewValue).HasMaxLength(2_000);
        builder.Property(c => c.Reason).HasMaxLength(2_000);
        builder.Property(c => c.CorrectedBy).HasMaxLength(200);
        builder.HasOne<Participant>().WithMany().HasForeignKey(c => c.ParticipantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => new { c.ParticipantId, c.CorrectedAt });
    }
}

internal sealed class DataQueryConfiguration : IEntityTypeConfiguration<DataQuery>
{
    public void Configure(EntityTypeBuilder<DataQuery> builder)
    {
        builder.ToTable("DataQueries");
        builder.HasKey(q => q.Id);
        builder.Property(q => q.Id).ValueGeneratedNever();
        builder.Property(q => q.TrialId).HasMaxLength(40);
        builder.Property(q => q.ParticipantId).HasMaxLength(64);
        builder.Property(q => q.Site).HasMaxLength(16);
        builder.Property(q => q.Target).HasMaxLength(60);
        builder.Property(q => q.Field).HasMaxLength(60);
        builder.Property(q => q.Question).HasMaxLength(2_000);
        builder.Property(q => q.RaisedBy).HasMaxLength(200);
        builder.Property(q => q.Answer).HasMaxLength(2_000);
        builder.Property(q => q.AnsweredBy).HasMaxLength(200);
        builder.Ignore(q => q.IsOpen);
        builder.HasOne<Participant>().WithMany().HasForeignKey(q => q.ParticipantId).OnDelete(DeleteBehavior.Restrict);
        // The list's keyset order within a trial (raised time, id).
        builder.HasIndex(q => new { q.TrialId, q.RaisedAt, q.Id });
    }
}
