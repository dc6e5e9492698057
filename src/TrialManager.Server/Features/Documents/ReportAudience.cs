using TrialManager.Domain.Documents;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// Who may request, read and sign each kind of report. The closed DSMB report compares the arms: the board alone
/// requests or reads it, and to everyone else it does not exist (404, left out of lists), so not even its timing leaks.
/// The open ethics report is for everyone the reports route admits (ethics, dsmb, admin). A report is signed by its
/// audience: the ethics board signs the progress report, the DSMB its closed report.
/// </summary>
public static class ReportAudience
{
    public static bool MayRead(Actor actor, ReportKind kind) => kind != ReportKind.DsmbClosed || actor.Role == Roles.Dsmb;

    public static string SignerOf(ReportKind kind) => kind switch
    {
        ReportKind.EthicsProgress => Roles.Ethics,
        ReportKind.DsmbClosed => Roles.Dsmb,
        _ => throw new InvalidOperationException($"Report kind {kind} has no signing audience."),
    };
}
