using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Statistics;
using ReportStratumBalance = TrialManager.Infrastructure.Documents.StratumArmCounts;

namespace TrialManager.Server.Features.Documents;

/// <summary>TrialManager:Reports:MinCellSize: the smallest count the ethics report shows in a breakdown (default 5).</summary>
public sealed record ReportSettings(int MinCellSize)
{
    public const int DefaultMinCellSize = 5;

    public static ReportSettings From(IConfiguration configuration)
    {
        var size = configuration.GetValue<int?>("TrialManager:Reports:MinCellSize") ?? DefaultMinCellSize;
        return size >= 1
            ? new ReportSettings(size)
            : throw new InvalidOperationException($"TrialManager:Reports:MinCellSize is {size}; it must be at least 1 (1 shows every count).");
    }
}
