// Diagnosis rule for the TRL / Transformers stack on CUDA hosts that the device and training rules do not already
// read: a gated or missing Hub repository (huggingface_hub's GatedRepoError and RepositoryNotFoundError, as
// transformers re-raises them), which a run loading a model or dataset by id meets before its first step.
import { CHECKPOINT_STEP_NOT_LOCAL, NOT_A_LOCAL_FOLDER } from "./rules-train.js";
import { type DiagnosisRule, isLocalPath, lit, rx, rxWhen } from "./rules-types.js";

const HUB_ERRORS = "https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/errors.py";
const GATED_DOCS = "https://huggingface.co/docs/hub/models-gated";

export const hubRules: readonly DiagnosisRule[] = [
  {
    id: "hub-access",
    category: "hub_access",
    title:
      "The Hugging Face Hub refused the model or dataset (gated without access 401/403, not found 404) or could not be reached",
    role: "primary",
    triggers: [
      // Round 20, tune: transformers' configuration loader given a Hub id, not a local path (configuration_utils.py: "Can't
      // load the configuration of 'org/name'. If you were trying to load it from 'https://huggingface.co/models'…", before
      // 4.x "Can't load config for 'name'. Make sure that: - 'name' is a correct model identifier"): the Hub did not give
      // the file (offline, gated, a wrong id). A path in the quotes is a local folder (missing_weights reads those).
      {
        match: rx(
          /Can't load (?:the configuration of|config for) '[^'.~/\\\n](?:[^':\n][^'\n]*)?'/,
          "Can't load the configuration of '",
          "Can't load config for '",
        ),
        confidence: 0.6,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/file_download.py#L1753
      { match: lit("Distant resource does not have an ETag"), confidence: 0.75 },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/file_download.py#L1759
      { match: lit("Distant resource does not have a Content-Length."), confidence: 0.65 },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_http.py#L523
      {
        match: rx(/Rate limited\. Waiting [\d.]+s before retry \[Retry \d+\/\d+\]/, "Rate limited. Waiting "),
        confidence: 0.6,
      },
      // Round 17, upstream (eighth pass): https://github.com/modelscope/modelscope/blob/7a37e99b6b00bfcb00dbd71078ea3f0159444d69/modelscope/hub/file_download.py#L429
      { match: rx(/Downloading: \S+ failed, reason: .* will retry/, "failed, reason: "), confidence: 0.55 },
      // Round 17, upstream (eighth pass): https://github.com/modelscope/modelscope/blob/7a37e99b6b00bfcb00dbd71078ea3f0159444d69/modelscope/hub/api.py#L1042
      { match: rx(/The model: \S+ has no revision ?: \S+ (?:valid are: |\.|!)/, "has no revision"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/modelscope/modelscope/blob/7a37e99b6b00bfcb00dbd71078ea3f0159444d69/modelscope/hub/api.py#L521
      { match: rx(/Repo \S+ not exists on either \S+ or \S+/, "not exists on either"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/modelscope/modelscope/blob/7a37e99b6b00bfcb00dbd71078ea3f0159444d69/modelscope/hub/api.py#L506
      { match: rx(/Repo \S+ does not exist on https?:\/\/\S*modelscope/, "does not exist on http"), confidence: 0.78 },
      // Round 17, upstream (eighth pass): https://github.com/modelscope/modelscope/blob/7a37e99b6b00bfcb00dbd71078ea3f0159444d69/modelscope/hub/api.py#L682
      {
        match: rx(
          /Failed to check existence of repo: \S+, make sure you have access authorization/,
          "Failed to check existence of repo",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/modelscope/modelscope/blob/7a37e99b6b00bfcb00dbd71078ea3f0159444d69/modelscope/hub/api.py#L1468
      {
        match: rx(/The modelscope dataset \[dataset_name = [^\]]*\] dose not exist/, "The modelscope dataset ["),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/git-lfs/git-lfs/blob/main/tq/api.go#L92
      { match: lit("This repository is over its data quota"), confidence: 0.85 },
      // Round 17, upstream (eighth pass): https://github.com/git-lfs/git-lfs/blob/main/lfshttp/errors.go#L111
      {
        match: rx(
          /batch response: (?:Repository or object not found|Authorization error|Git credentials for \S+ not found|too many authentication attempts|Rate limit exceeded|Bandwidth limit exceeded)/,
          "batch response: ",
        ),
        confidence: 0.78,
      },
      // Round 17, upstream (eighth pass): https://github.com/git-lfs/git-lfs/blob/main/commands/command_smudge.go#L140
      { match: rx(/Smudge error: Error downloading \S+/, "Smudge error: Error downloading"), confidence: 0.7 },
      // Round 17, upstream (eighth pass): https://github.com/git/git/blob/master/convert.c
      { match: rx(/fatal: \S+: smudge filter lfs failed/, "smudge filter lfs failed"), confidence: 0.65 },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/xet-core/blob/02da1d233b9c2c9c79d5790183617c7a515cacaa/data/src/errors.rs#L46
      {
        match: rx(
          /CAS service error : [^\n]*(?:Reqwest|Request failed after \d+ retries|Unauthorized|Forbidden|Presigned S3 URL Expired)/,
          "CAS service error",
        ),
        unless: [lit("IO Error:")],
        confidence: 0.72,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/v0.30.0/src/huggingface_hub/file_download.py#L435
      { match: lit("An error occurred while downloading using `hf_transfer`"), confidence: 0.75 },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/file_download.py#L1890
      { match: lit("Cannot pass 'force_download=True' when offline mode is enabled."), confidence: 0.7 },
      // Round 17, upstream (eighth pass): https://github.com/aria2/aria2/blob/master/src/AbstractCommand.cc
      {
        match: rx(
          /\[AbstractCommand\.cc:\d+\] errorCode=\d+ URI=https?:\/\/(?:[\w.-]*\.)?(?:huggingface\.co|hf\.co|hf-mirror\.com|modelscope\.cn|modelers\.cn)\//,
          "[AbstractCommand.cc:",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/curl/curl/blob/master/lib/strerror.c
      {
        match: rx(
          /curl: \((?:6|7|28|35)\) (?:Could not resolve host: |Failed to connect to |Connection timed out after [^\n]*|Operation timed out after [^\n]*|[^\n]* SSL_connect[^\n]* to )(?:[\w.-]*\.)?(?:huggingface\.co|hf\.co|hf-mirror\.com|modelscope\.cn|modelers\.cn)\b/,
          "Could not resolve host: ",
          "Failed to connect to ",
          "Connection timed out after",
          "Operation timed out after",
          " SSL_connect",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://git.savannah.gnu.org/cgit/wget.git/tree/src/connect.c
      {
        match: rx(
          /(?:Resolving|Connecting to) (?:[\w.-]*\.)?(?:huggingface\.co|hf\.co|hf-mirror\.com|modelscope\.cn|modelers\.cn) \([^)]*\)[^\n]*\.\.\. failed: /,
          "Resolving ",
          "Connecting to ",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/datasets/blob/main/src/datasets/utils/file_utils.py#L989
      {
        match: rx(
          /(?:Got disconnected from|Failed to connect to) remote data host\. Retrying in \d+sec \[\d+\/\d+\]/,
          "remote data host. Retrying in",
        ),
        confidence: 0.6,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/diffusers/blob/main/src/diffusers/pipelines/pipeline_loading_utils.py#L1200
      {
        match: rx(
          /Cannot load model \S+: model is not cached locally and an error occurred/,
          "model is not cached locally and an error occurred",
        ),
        confidence: 0.82,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/diffusers/blob/main/src/diffusers/pipelines/pipeline_utils.py#L1651
      {
        match: rx(/Couldn't connect to the Hub: .*/, "Couldn't connect to the Hub: "),
        near: [lit("Will try to load from local cache.")],
        within: 3,
        confidence: 0.55,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/v0.20.0/src/huggingface_hub/file_download.py#L1334
      {
        match: lit(
          "We have no connection or you passed local_files_only, so force_download is not an accepted option.",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/xet-core/blob/main/xet_data/src/error.rs#L80
      {
        match: rx(/File size mismatch: expected \d+ bytes but downloaded \d+ bytes/, "bytes but downloaded"),
        confidence: 0.6,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/cli/_errors.py#L60
      {
        match: rx(/Error: Access denied\. (?:\w+ '[^'\n]+'|This \w+) requires approval\./, "requires approval."),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/cli/_errors.py#L45
      {
        match: lit(
          "If the repo is private, make sure you are authenticated and your token has the required permissions.",
        ),
        confidence: 0.78,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/cli/_errors.py#L104
      {
        match: rx(/Error: Revision not found in (?:model|dataset|space|kernel|repository)/, "Revision not found in "),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/cli/_errors.py#L135
      { match: lit("Error: Not logged in. Run 'hf auth login' first."), confidence: 0.75 },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/cli/_errors.py#L91
      { match: rx(/Error: Local entry not found\. /, "Local entry not found. "), confidence: 0.65 },
      // Round 16, upstream (third pass): https://github.com/modelscope/modelscope/blob/master/modelscope/hub/errors.py#L233
      { match: lit("The request resource(model or dataset) does not exist!"), confidence: 0.85 },
      // Round 16, upstream (third pass): https://github.com/modelscope/modelscope/blob/master/modelscope/hub/errors.py#L153
      {
        match: rx(
          /The authentication token is invalid, failed to access \S+/,
          "The authentication token is invalid, failed to access",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream (third pass): https://github.com/modelscope/modelscope/blob/master/modelscope/hub/errors.py#L236
      { match: lit("Authentication token does not exist or invalid."), confidence: 0.82 },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/packaged_modules/cache/cache.py#L66
      { match: rx(/Couldn't find cache for \S+/, "Couldn't find cache for "), confidence: 0.65 },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/load.py#L841
      { match: rx(/Dataset \S+ is not cached in \S+/, "is not cached in "), confidence: 0.68 },
      // Round 16, upstream: https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/src/diffusers/pipelines/pipeline_utils.py#L1859
      {
        match: rx(
          /Cannot load model \S+: the model is not fully cached locally/,
          "the model is not fully cached locally",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/v0.20.0/src/huggingface_hub/file_download.py#L754
      { match: lit("Connection error, and we cannot find the requested files in the"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/load.py#L1157
      {
        match: rx(
          /Couldn't reach '[^'\n]+' on the Hub \(\w+\)|Couldn't reach the Hugging Face Hub for dataset '|Couldn't reach https?:\/\/(?:huggingface\.co|hf\.co|hf-mirror\.com|raw\.githubusercontent\.com\/huggingface\/|s3\.amazonaws\.com\/datasets\.huggingface\.co|cdn-lfs[\w.-]*\.(?:huggingface\.co|hf\.co))/,
          "Couldn't reach '",
          "Couldn't reach the Hugging Face Hub",
          "Couldn't reach https://",
          "Couldn't reach http://",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/huggingface/datasets/blob/2.14.7/src/datasets/utils/file_utils.py#L578
      {
        match: rx(
          /Unauthorized for URL \S+\. Please use the parameter `(?:token|use_auth_token)=True`/,
          "Unauthorized for URL",
        ),
        confidence: 0.85,
      },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/utils/_headers.py#L139
      {
        match: rx(
          /Token is required \([^)\n]*\),? but no token found|Invalid user token\.|access token has expired and could not be refreshed/,
          "but no token found",
          "Invalid user token",
          "access token has expired",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/utils/_http.py#L896
      { match: rx(/Cannot access content at: https?:\/\//, "Cannot access content at: "), confidence: 0.82 },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/utils/_http.py#L906
      {
        match: rx(
          /429 Too Many Requests: you have reached your '[\w-]+' rate limit|\b429\b[^\n]*Too Many Requests for url: https:\/\/(?:huggingface\.co|hf\.co|hf-mirror\.com)\//,
          "rate limit",
          "Too Many Requests for url",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/utils/hub.py#L563
      { match: lit("There was a specific connection error when trying to load"), confidence: 0.78 },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/file_download.py#L1742
      { match: lit("Distant resource does not seem to be on huggingface.co"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/_snapshot_download.py#L372
      { match: lit("An error happened while trying to locate the files on the Hub"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/utils/_http.py#L513
      {
        match: rx(
          /\b50[0234] Server Error:[^\n]*for url: https:\/\/(?:huggingface\.co|hf\.co|hf-mirror\.com)\/|HTTPSConnectionPool\(host='[\w.-]*(?:huggingface\.co|hf\.co|hf-mirror\.com)', port=\d+\): Read timed out|thrown while requesting (?:HEAD|GET) https:\/\/[\w.-]*(?:huggingface\.co|hf\.co|hf-mirror\.com)\/|Error while downloading from https:\/\/\S*(?:huggingface\.co|hf\.co|hf-mirror\.com)/,
          "Server Error:",
          "Read timed out",
          "thrown while requesting",
          "Error while downloading from",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/file_download.py#L421
      { match: lit("Consistency check failed: file should be of size"), confidence: 0.65 },
      // Round 15: the Hub or a mirror not reachable (urllib3's MaxRetryError naming the host), offline mode refusing a
      // download (huggingface_hub errors.py OfflineModeIsEnabled; "cannot find the requested files in the local cache"),
      // torchtune's gated-repository message, ModelScope's server refusing (api.py: "获取模型版本失败", "Authentication
      // token does not exist, failed to access model", "The request model: … does not exist", an HTTP 401/403/404 for a
      // modelscope.cn URL).
      {
        match: rx(
          /HTTPSConnectionPool\(host='[\w.-]*(?:huggingface\.co|hf-mirror\.com|hf\.co|modelscope\.cn)', port=\d+\): Max retries exceeded/,
          "Max retries exceeded",
        ),
        confidence: 0.8,
      },
      {
        match: rx(
          /OfflineModeIsEnabled|offline mode is enabled\. To disable it, please unset the `HF_HUB_OFFLINE`/,
          "OfflineModeIsEnabled",
          "offline mode is enabled",
        ),
        confidence: 0.74,
      },
      {
        match: lit("cannot find the requested files in the local cache"),
        // datasets names a local path it found no data at first: the path is wrong, not the Hub (input_path_missing).
        unless: [lit("Couldn't find any data file at")],
        within: 0,
        confidence: 0.78,
      },
      { match: lit("trying to access a gated repository"), confidence: 0.85 },
      { match: lit("获取模型版本失败"), confidence: 0.7 },
      { match: lit("Authentication token does not exist, failed to access"), confidence: 0.8 },
      { match: rx(/The request model: \S+ does not exist/, "The request model: "), confidence: 0.78 },
      { match: rx(/\b40[134]\b[^\n]*https:\/\/(?:www\.)?modelscope\.cn\//, "modelscope.cn/"), confidence: 0.72 },
      // Round 13: transformers' message when the Hub cannot be reached and the cache lacks the file (utils/hub.py):
      // "We couldn't connect to 'https://huggingface.co' to load this file, couldn't find it in the cached files" — the
      // model may well exist; the network, a proxy or a mirror is what failed. Unless the name it then says is "not the
      // path to a directory" is a path: a local folder that is not there, which missing-weights reads.
      {
        match: rxWhen(
          /We couldn't connect to 'https:\/\/huggingface\.co[^\n]*?(?:it looks like (?<name>\S+) is not the path to a directory|$)/,
          ["We couldn't connect to 'https://huggingface.co"],
          (g) => !g.name || !isLocalPath(g.name),
        ),
        confidence: 0.85,
      },
      // Round 12: ModelScope's hub (modelscope/hub/file_download.py) when the repository has no such file.
      {
        match: rx(/NotExistError: The file path: \S+ not exist in: \S+/, "NotExistError: The file path: "),
        confidence: 0.78,
      },
      // datasets and fsspec turn a Hub file they may not read (gated, logged out) or a dataset id that does not exist
      // into FileNotFoundError on the Hub URL (fsspec/implementations/http.py, datasets' file_utils "Couldn't find file
      // at <url>").
      {
        match: rx(
          /FileNotFoundError: https:\/\/huggingface\.co\/|Couldn't find file at https:\/\/(?:huggingface\.co\/|raw\.githubusercontent\.com\/huggingface\/datasets\/)/,
          "FileNotFoundError: https://huggingface.co/",
          "Couldn't find file at https://",
        ),
        confidence: 0.75,
      },
      // Upstream phrasebook: huggingface_hub and transformers refusing a gated, disabled or missing repo or revision
      // (errors.py GatedRepoError, DisabledRepoError, RevisionNotFoundError, fine-grained token scopes; transformers'
      // "is a gated repository", "is not a valid git identifier"; datasets' DatasetNotFoundError; TGI/older
      // transformers' "Repo for model `x` is gated / does not exist on the Hub").
      {
        match: rx(
          /enable access to public gated repositories in your fine-grained token|is a gated (?:repository|dataset on the Hub)|Repo for model `[^`]+` (?:is gated|does not exist on the Hub)/,
          "fine-grained token",
          "is a gated ",
          "Repo for model `",
        ),
        confidence: 0.9,
      },
      {
        match: rx(
          /DisabledRepoError|Cannot access repository for url/,
          "DisabledRepoError",
          "Cannot access repository for url",
        ),
        confidence: 0.85,
      },
      {
        match: rx(
          /RevisionNotFoundError|Revision Not Found for url|is not a valid git identifier \(branch name, tag name or commit id\)|Revision '[^']+' doesn't exist for dataset/,
          "RevisionNotFoundError",
          "Revision Not Found for url",
          "is not a valid git identifier",
          "doesn't exist for dataset",
        ),
        confidence: 0.85,
      },
      { match: lit("is not a local folder or a valid repository name on"), confidence: 0.8 },
      { match: lit("Cannot access gated repo for url"), confidence: 0.9 },
      { match: lit("You are trying to access a gated repo"), confidence: 0.88 },
      { match: rx(/\bGatedRepoError\b/, "GatedRepoError"), confidence: 0.86 },
      { match: lit("Repository Not Found for url"), confidence: 0.88 },
      { match: rx(/\bRepositoryNotFoundError\b/, "RepositoryNotFoundError"), confidence: 0.85 },
      // The Hub's answer as any HTTP client reports it: requests' "401 Client Error: Unauthorized for url:
      // https://huggingface.co/…", Rust's hf-hub "Status(403, … url: https://huggingface.co/…)"; the same from its
      // mirror, hf-mirror.com.
      {
        match: rx(
          /\b40[13]\b[^\n]*https:\/\/(?:huggingface\.co|hf-mirror\.com)\//,
          "https://huggingface.co/",
          "https://hf-mirror.com/",
        ),
        confidence: 0.75,
      },
      // datasets' load.py for a name that is no local path and no Hub dataset the token can see: "Dataset 'x' doesn't
      // exist on the Hub. If the repo is private or gated, make sure to log in". A path-like name is a local miss.
      {
        match: rxWhen(
          /Dataset '(?<name>[^']+)' doesn't exist on the Hub/,
          ["doesn't exist on the Hub"],
          (g) => !isLocalPath(g.name!),
        ),
        confidence: 0.74,
      },
      // The same message's second sentence, on a line of its own when a console wraps it.
      { match: lit("If the repo is private or gated, make sure to log in"), confidence: 0.72 },
      // transformers' cached_file (utils/hub.py) turns the Hub's RepositoryNotFoundError for a name that is no local
      // folder into "X is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'"
      // (a misspelled, namespace-less or private id). A path-like name (/, ./, ~, C:\) is a local directory that is not
      // there.
      {
        match: rxWhen(NOT_A_LOCAL_FOLDER, ["is not a local folder"], (g) => !isLocalPath(g.name!)),
        unless: [CHECKPOINT_STEP_NOT_LOCAL],
        within: 0,
        confidence: 0.8,
      },
    ],
    extract: [
      /gated repo for url https:\/\/huggingface\.co\/(?<repo>[\w.-]+\/[\w.-]+)\//,
      /Not Found for url: https:\/\/huggingface\.co\/(?:api\/(?:models|datasets)\/)?(?<repo>[\w.-]+\/[\w.-]*[\w-])/,
      /Dataset '(?<repo>[\w.-]+\/[\w.-]*[\w-])' doesn't exist on the Hub/,
      /(?<repo>[\w.-]+\/[\w.-]*[\w-]) is not a local folder and is not a valid model identifier/,
      /https:\/\/huggingface\.co\/(?:api\/(?:models|datasets)\/|datasets\/)?(?<repo>[\w.-]+\/[\w.-]*[\w-])(?:\/|\s|$)/,
    ],
    cause:
      "The Hub refused the repo: it is gated and the run had no token (401) or a token whose account has no access " +
      "(403), or it answered 404: the id is misspelled, the repo is private, or a dataset id was given for a model. " +
      "Or the host could not reach the Hub at all (no network, a proxy or firewall, an offline cluster) and nothing " +
      "was cached.",
    fixes: [
      {
        id: "request-access",
        summary:
          "Open https://huggingface.co/<repo>: check the id (case matters) and, for a gated model, ask for access with " +
          "the account the token belongs to.",
      },
      {
        id: "login",
        summary: "Give the run a token of that account: export HF_TOKEN in the run's env, or log in on the host.",
        commands: ["hf auth login", "hf auth whoami"],
      },
      {
        id: "mirror-or-offline",
        summary:
          "If the host cannot reach huggingface.co: set HF_ENDPOINT to a mirror the host can reach, or download the " +
          "files where the Hub is reachable, copy them to the host and load that folder with HF_HUB_OFFLINE=1.",
        commands: ["curl -sI https://huggingface.co", "hf download <repo> --local-dir <dir>"],
      },
    ],
    references: [GATED_DOCS, HUB_ERRORS],
  },
];
