using System.Globalization;
using System.Net;
using System.Text;
using TrialManager.Domain.Participants;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Statistics;

/// <summary>
/// The reliability figures the server reports, held to R on the same ratings: psych::ICC (its ICC1 row) for each
/// factor score, psych::cohen.kappa for the first two primary formulations, and Fleiss' kappa and Krippendorff's
/// alpha by their textbook formulas written in R (irr is not packaged in Debian). Estimates must agree to 1e-9,
/// confidence bounds to 1e-6. The ratings include what must be left out: consensus ratings and ratings made after
/// allocation.
/// </summary>
[Collection(SqliteServerCollection.Name)]
public sealed class AgreementCrossCheckTests(SqliteTrialServer server)
{
    private static readonly string[] Factors = ["cognitive", "interpersonal", "behavioral", "environmental"];

    [Theory]
    [InlineData(20261201, 60)]
    [InlineData(7, 25)]
    public async Task Reliability_MatchesR_OnTheSameIndependentRatings(int seed, int participants)
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var random = new Random(seed);
        var independent = new List<(string Participant, int Position, string Rater, FormulationScores Scores)>();
        for (var p = 0; p < participants; p++)
        {
            var id = await ConsentedAsync(trialId);
            var raters = Enumerable.Range(1, 6).Select(r => $"R{r:00}").OrderBy(_ => random.Next()).Take(random.Next(10) < 7 ? 2 : 3).ToList();
            var truth = Enumerable.Range(0, 4).Select(_ => random.Next(5)).ToArray();
            for (var position = 0; position < raters.Count; position++)
            {
                var scores = Noisy(truth, random);
                await RateAsync(id, raters[position], scores, consensus: false);
                independent.Add((id, position + 1, raters[position], scores));
            }

            var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
            var status = record.GetProperty("status").GetString();
            if (status == "formulationPending" && random.Next(2) == 0)
            {
                await RateAsync(id, "R07", Noisy(truth, random), consensus: true); // settles the case; not independent
            }
            else if (status == "formulated" && random.Next(3) == 0)
            {
                var randomized = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null);
                Assert.Equal(HttpStatusCode.Created, randomized.StatusCode);
                await RateAsync(id, "R08", Noisy(truth, random), consensus: false); // after allocation: unblinded
            }
        }

        var response = await server.Statistician.GetAsync($"/api/trials/{trialId}/reliability");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        var body = await response.JsonAsync();

        var csv = Path.Combine(Path.GetTempPath(), $"tm-ratings-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(csv, ToCsv(independent));
        try
        {
            var r = RStatistics.ParseValues(await RStatistics.RunAsync(Script, csv));
            Assert.Equal(r["cohen"], body.GetProperty("kappa").GetDouble(), 1e-9);
            Assert.Equal(r["fleiss"], body.GetProperty("fleissKappa").GetDouble(), 1e-9);
            Assert.Equal(r["krippendorff"], body.GetProperty("krippendorffAlpha").GetDouble(), 1e-9);
            Assert.Equal((int)r["pairs"], body.GetProperty("n").GetInt32());
            foreach (var factor in Factors)
            {
                var icc = body.GetProperty("icc").GetProperty(factor);
                Assert.Equal(r[$"icc.{factor}"], icc.GetProperty("value").GetDouble(), 1e-9);
                Assert.Equal(r[$"icc.{factor}.lower"], icc.GetProperty("lower").GetDouble(), 1e-6);
                Assert.Equal(r[$"icc.{factor}.upper"], icc.GetProperty("upper").GetDouble(), 1e-6);
            }
        }
        finally
        {
            File.Delete(csv);
        }
    }

    // Each rater sees the case's true profile, off by one now and then: agreement well above chance, not perfect.
    private static FormulationScores Noisy(int[] truth, Random random)
    {
        var s = truth.Select(t => Math.Clamp(t + (random.Next(4) == 0 ? random.Next(-1, 2) : 0), 0, 4)).ToArray();
        return new FormulationScores(s[0], s[1], s[2], s[3]);
    }

    private async Task<string> ConsentedAsync(string trialId)
    {
        var screened = await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Created, screened.StatusCode);
        var id = (await screened.JsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await server.Coordinator.PostJsonAsync($"/api/participants/{id}/consent",
            new { consentVersion = "1.0", consentedOn = "2026-11-20" })).StatusCode);
        return id;
    }

    private async Task RateAsync(string id, string rater, FormulationScores s, bool consensus)
    {
        var response = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/formulations", new
        {
            rater,
            scores = new { cognitive = s.Cognitive, interpersonal = s.Interpersonal, behavioral = s.Behavioral, environmental = s.Environmental },
            consensus,
        });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
    }

    private static string ToCsv(IEnumerable<(string Participant, int Position, string Rater, FormulationScores Scores)> ratings)
    {
        var csv = new StringBuilder("participant,position,rater,category,cognitive,interpersonal,behavioral,environmental\n");
        foreach (var (participant, position, rater, s) in ratings)
        {
            // The trial's rule (minMargin 1) decides each rating's own primary formulation.
            var category = s.Primary(1) is { } primary ? primary.ToString().ToLowerInvariant() : "indeterminate";
            csv.Append(CultureInfo.InvariantCulture,
                $"{participant},{position},{rater},{category},{s.Cognitive},{s.Interpersonal},{s.Behavioral},{s.Environmental}\n");
        }

        return csv.ToString();
    }

    private const string Script = """
        suppressPackageStartupMessages(library(psych))
        out <- function(name, value) cat(sprintf("%s %.17g\n", name, value))
        d <- read.csv(commandArgs(trailingOnly = TRUE)[1], stringsAsFactors = FALSE)
        d <- d[order(d$participant, d$position), ]
        rated <- Filter(function(g) nrow(g) >= 2, split(d, d$participant))
        first <- do.call(rbind, lapply(rated, function(g) g[1, ]))
        second <- do.call(rbind, lapply(rated, function(g) g[2, ]))
        out("pairs", nrow(first))

        for (f in c("cognitive", "interpersonal", "behavioral", "environmental")) {
          icc <- psych::ICC(cbind(first[[f]], second[[f]]), lmer = FALSE)$results
          row <- icc[icc$type == "ICC1", ]
          out(paste0("icc.", f), row$ICC)
          out(paste0("icc.", f, ".lower"), row[["lower bound"]])
          out(paste0("icc.", f, ".upper"), row[["upper bound"]])
        }

        levels <- sort(unique(d$category))
        out("cohen", psych::cohen.kappa(cbind(match(first$category, levels), match(second$category, levels)))$kappa)

        # Fleiss (1971), with n_i ratings on subject i.
        counts <- t(sapply(rated, function(g) table(factor(g$category, levels = levels))))
        n_i <- rowSums(counts)
        p_bar <- mean((rowSums(counts^2) - n_i) / (n_i * (n_i - 1)))
        p_e <- sum((colSums(counts) / sum(counts))^2)
        out("fleiss", (p_bar - p_e) / (1 - p_e))

        # Krippendorff (2011), nominal: the coincidence matrix built pair by pair.
        o <- matrix(0, length(levels), length(levels))
        for (g in rated) {
          v <- match(g$category, levels)
          m <- length(v)
          for (i in seq_len(m)) for (j in seq_len(m)) if (i != j) o[v[i], v[j]] <- o[v[i], v[j]] + 1 / (m - 1)
        }
        n_c <- rowSums(o)
        n <- sum(n_c)
        out("krippendorff", 1 - (n - 1) * (sum(o) - sum(diag(o))) / (n^2 - sum(n_c^2)))
        """;
}
