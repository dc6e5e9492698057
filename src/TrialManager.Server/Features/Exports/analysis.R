# analysis.R: the trial's pre-specified analysis, run on its analysis export.
#
#   Rscript analysis.R [export directory] [results directory]
#
# Both default to the directory this script is in. Needs base R and the packages lme4, jsonlite and digest
# (Debian: r-base-core r-cran-lme4 r-cran-jsonlite r-cran-digest). The script
#   1. checks every file against the SHA-256 that manifest.json lists, and stops on any difference;
#   2. fits the pre-specified models (linear mixed models, REML, participant and therapist random effects):
#      (a) primary: formulation x arm on the symptom trajectory (the instrument's session totals);
#      (b) mediator-arm mechanism: the previous session's alliance, centred on the participant's own mean of their
#          recorded alliance totals (within-person), predicting this session's symptom total, by arm;
#      (c) moderator-arm mechanism: the same lagged alliance x the previous session's technique dose, by arm;
#   3. writes results.csv and results.json: one row per named effect, with its estimate and Wald 95% interval.
# The trial's parameters below were written by TrialManager from the trial's registered definition; the rest of the
# script is the same for every trial (src/TrialManager.Server/Features/Exports/analysis.R in TrialManager).

#@TRIAL PARAMETERS@

suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
  library(digest)
})

fail <- function(...) stop(sprintf(...), call. = FALSE)

script_dir <- function() {
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(file) == 1) dirname(normalizePath(file)) else getwd()
}
args <- commandArgs(trailingOnly = TRUE)
export_dir <- if (length(args) >= 1) args[[1]] else script_dir()
results_dir <- if (length(args) >= 2) args[[2]] else export_dir

# 1. The files are the ones the server wrote: every hash in the manifest must match.
manifest_path <- file.path(export_dir, "manifest.json")
if (!file.exists(manifest_path)) fail("No manifest.json in %s: run the script on the unzipped export.", export_dir)
manifest <- fromJSON(manifest_path, simplifyVector = FALSE)
if (!identical(manifest$trialId, trial_id)) fail("manifest.json is of trial %s, this script of trial %s.", manifest$trialId, trial_id)
for (f in manifest$files) {
  path <- file.path(export_dir, f$name)
  if (!file.exists(path)) fail("%s is listed in manifest.json but missing from %s.", f$name, export_dir)
  actual <- digest(path, algo = "sha256", file = TRUE, serialize = FALSE)
  if (!identical(tolower(actual), tolower(f$sha256))) {
    fail("Hash check failed: %s has SHA-256 %s, but manifest.json lists %s. The file was changed after the export; nothing was analysed.",
         f$name, actual, f$sha256)
  }
}
cat(sprintf("Hash check: %d files match manifest.json (trial %s, data taken %s).\n", length(manifest$files), trial_id, manifest$takenAt))

read_export <- function(name) {
  read.csv(file.path(export_dir, name), colClasses = "character", na.strings = "", encoding = "UTF-8", check.names = FALSE)
}

allocations <- read_export("allocations.csv")
participants <- read_export("participants.csv")
sessions <- read_export("sessions.csv")
scores <- read_export("scores.csv")
items <- read_export("item_responses.csv")

# Session totals of an instrument: one per participant and session.
session_totals <- function(code, name) {
  s <- scores[scores$instrument == code & !is.na(scores$session) & !is.na(scores$total), c("participantId", "session", "total")]
  s$session <- as.integer(s$session)
  s$total <- as.numeric(s$total)
  if (anyDuplicated(s[, c("participantId", "session")])) fail("%s: more than one %s total at a session.", "scores.csv", code)
  names(s)[3] <- name
  s
}

symptom <- session_totals(symptom_instrument, "total")
alliance <- session_totals(alliance_instrument, "alliance")

# Technique dose: the sum of the dose items, only where every one of them was answered.
d <- items[items$instrument == dose_instrument & !is.na(items$session) & items$item %in% dose_items, ]
dose <- data.frame(participantId = character(0), session = integer(0), dose = numeric(0))
if (nrow(d) > 0) {
  d$value <- as.numeric(d$value)
  sums <- aggregate(value ~ participantId + session, data = d, FUN = function(v) c(sum = sum(v), n = length(v)))
  sums <- data.frame(participantId = sums$participantId, session = as.integer(sums$session),
                     dose = sums$value[, "sum"], answered = sums$value[, "n"])
  dose <- sums[sums$answered == length(dose_items), c("participantId", "session", "dose")]
}

attended <- sessions[sessions$attendance == "attended", c("participantId", "session")]
attended$session <- as.integer(attended$session)

# Randomized participants as allocated (intention to treat), with the therapist assigned to them.
panel_base <- merge(allocations[, c("participantId", "arm", "formulation")],
                    participants[, c("participantId", "therapist")], by = "participantId")
panel_base <- panel_base[!is.na(panel_base$therapist), ]
panel_base$arm <- factor(panel_base$arm, levels = arms)
panel_base$formulation <- factor(panel_base$formulation, levels = sort(unique(panel_base$formulation)))
panel_base$cell <- interaction(panel_base$arm, panel_base$formulation, sep = ".", drop = FALSE)

y <- merge(panel_base, symptom, by = "participantId")
if (nrow(y) == 0) fail("No %s session totals of randomized participants with a therapist: nothing to analyse.", symptom_instrument)
y$week <- y$session - 1
last_session <- max(y$session)
last_week <- last_session - 1

# Alliance centred within person: on the mean of the participant's recorded alliance totals; the person mean itself,
# centred on the grand mean, stays in the model as the between-person part.
person_mean <- data.frame(participantId = alliance$participantId, alliance_pm = alliance$alliance)
if (nrow(alliance) > 0) person_mean <- aggregate(alliance_pm ~ participantId, data = person_mean, FUN = mean)
previous <- merge(attended, alliance, by = c("participantId", "session"))
previous <- merge(previous, person_mean, by = "participantId")
previous$alliance_c <- previous$alliance - previous$alliance_pm
previous <- merge(previous, dose, by = c("participantId", "session"), all.x = TRUE)
previous$dose_c <- previous$dose - dose_centre
previous$session <- previous$session + 1 # the session whose symptoms the previous one's alliance and dose predict
lagged <- merge(y, previous[, c("participantId", "session", "alliance_c", "alliance_pm", "dose_c")], by = c("participantId", "session"))
lagged$alliance_pm <- lagged$alliance_pm - mean(person_mean$alliance_pm)

fit <- function(formula, data) {
  m <- lmer(formula, data = data, REML = TRUE, control = lmerControl(calc.derivs = FALSE))
  cat("\n"); print(summary(m), correlation = FALSE)
  m
}

results <- list()
# One named effect: a linear combination (weights by coefficient name) of a model's fixed effects, with its Wald 95% CI.
effect <- function(name, model_label, m, weights, description) {
  beta <- fixef(m)
  missing <- setdiff(names(weights), names(beta))
  if (length(missing) > 0) fail("Model %s has no coefficient %s.", model_label, paste(missing, collapse = ", "))
  l <- setNames(numeric(length(beta)), names(beta))
  l[names(weights)] <- weights
  estimate <- sum(l * beta)
  se <- sqrt(as.numeric(t(l) %*% as.matrix(vcov(m)) %*% l))
  z <- qnorm(0.975)
  results[[length(results) + 1]] <<- data.frame(
    effect = name, model = model_label, estimate = estimate, se = se, lower95 = estimate - z * se, upper95 = estimate + z * se,
    observations = nobs(m), participants = length(unique(model.frame(m)$participantId)), description = description,
    stringsAsFactors = FALSE)
}
slope <- function(arm, formulation) paste0("cell", arm, ".", formulation, ":week")

# (a) Primary. Each arm x formulation cell has its own weekly change; the arms share their session-1 level within a
# formulation (randomized, and measured at the first session, before the arms' treatments differ).
fit_a <- fit(total ~ formulation + cell:week + (1 + week | participantId) + (1 | therapist), y)
predicted <- hypothesis[!is.na(hypothesis) & names(hypothesis) %in% levels(y$formulation)]
if (length(predicted) > 0) {
  # Matched minus unmatched weekly change: per formulation with a prediction, its predicted arm minus the other arms.
  matched <- c()
  for (f in names(predicted)) {
    others <- setdiff(arms, predicted[[f]])
    matched[slope(predicted[[f]], f)] <- 1 / length(predicted)
    for (a in others) matched[slope(a, f)] <- -1 / (length(predicted) * length(others))
  }
  effect("matched_slope_per_week", "a", fit_a, matched,
         "Extra weekly change of the symptom total in the arm the hypothesis predicts for the formulation, over the other arm(s)")
  effect(sprintf("formulation_x_arm_session%d", last_session), "a", fit_a, matched * length(predicted) * last_week,
         sprintf("Formulation x arm on the session-%d total: the sum over formulations of (predicted arm - other arm), e.g. (cognitive-moderator - cognitive-mediator) - (interpersonal-moderator - interpersonal-mediator)", last_session))
  unmatched <- c()
  for (f in names(predicted)) for (a in setdiff(arms, predicted[[f]])) unmatched[slope(a, f)] <- 1
  effect("unmatched_slope_per_week", "a", fit_a, unmatched / length(unmatched),
         "Weekly change of the symptom total in the cells the hypothesis does not match (mean over cells)")
}

# (b) Mediator-arm mechanism: the previous session's within-person alliance, by arm.
if ("mediator" %in% arms && nrow(lagged) > 0) {
  fit_b <- fit(total ~ formulation + cell:week + alliance_pm + arm:alliance_c + (1 + week | participantId) + (1 | therapist), lagged)
  effect("mediator_lagged_alliance", "b", fit_b, c("armmediator:alliance_c" = 1),
         "Mediator arm: symptom points per point of the previous session's alliance, centred on the participant's mean")
}

# (c) Moderator-arm mechanism: the lagged within-person alliance x the previous session's technique dose (centred), by arm.
dosed <- lagged[!is.na(lagged$dose_c), ]
if ("moderator" %in% arms && nrow(dosed) > 0) {
  fit_c <- fit(total ~ formulation + cell:week + alliance_pm + arm:(alliance_c * dose_c) + (1 + week | participantId) + (1 | therapist), dosed)
  effect("moderator_lagged_alliance", "c", fit_c, c("armmoderator:alliance_c" = 1),
         sprintf("Moderator arm: symptom points per point of the previous session's centred alliance, at a dose of %g", dose_centre))
  effect("moderator_dose", "c", fit_c, c("armmoderator:dose_c" = 1),
         sprintf("Moderator arm: symptom points per unit of the previous session's technique dose (centred at %g), at the participant's mean alliance", dose_centre))
  effect("moderator_alliance_x_dose", "c", fit_c, c("armmoderator:alliance_c:dose_c" = 1),
         "Moderator arm: centred alliance x centred technique dose of the previous session")
}

if (length(results) == 0) fail("The data hold none of the pre-specified effects (no hypothesis, no lagged alliance): nothing written.")
results <- do.call(rbind, results)
dir.create(results_dir, showWarnings = FALSE, recursive = TRUE)
write.csv(results, file.path(results_dir, "results.csv"), row.names = FALSE, fileEncoding = "UTF-8")
write_json(list(trialId = trial_id, takenAt = manifest$takenAt, effects = results),
           file.path(results_dir, "results.json"), digits = NA, pretty = TRUE, auto_unbox = TRUE)
cat("\n"); print(results[, c("effect", "estimate", "lower95", "upper95")], row.names = FALSE)
cat(sprintf("\nWrote results.csv and results.json to %s.\n", results_dir))
