//! Realistic text for the fixtures: what users of a malaria-risk chatbot in
//! northern and south-western Nigeria type (English, Hausa, Yoruba, Pidgin,
//! emoji), the User-Agents and addresses its servers see, ward names, and LLM
//! answers of realistic and very large sizes.

use super::rng::Rng;

/// Wards the analyses rank (Kano, Ibadan, Kaduna, Niger), with the
/// apostrophes and Hausa hooked letters real names carry.
pub(crate) const WARDS: &[&str] = &[
    "Dala",
    "Fagge",
    "Gwale",
    "Kumbotso",
    "Nassarawa",
    "Tarauni",
    "Ungogo",
    "Gezawa",
    "Dawakin Kudu",
    "Yan'awaki",
    "Ƙofar Mata",
    "Sharada",
    "Gobirawa",
    "Zango",
    "Agugu",
    "Oke-Ado",
    "Bodija",
    "Mokola",
    "Ọjà'ba",
    "Tudun Wada",
    "Barnawa",
    "Kawo",
    "Chanchaga",
    "Bosso",
    "Sabon Gari",
    "Ɗan Agundi",
];

/// Variables the analyses use.
pub(crate) const VARIABLES: &[&str] = &[
    "tpr",
    "pfpr",
    "evi",
    "ndvi",
    "rainfall",
    "distance_to_water",
    "housing_quality",
    "elevation",
    "urban_percentage",
    "ndwi",
    "soil_wetness",
    "nighttime_lights",
];

const USER_EN: &[&str] = &[
    "Which wards are most at risk for malaria?",
    "Can you explain why {ward} ranks so high?",
    "Run the composite analysis with rainfall, evi and distance to water",
    "show me the vulnerability map",
    "What does TPR mean?",
    "I uploaded the Kano TPR excel file, what next?",
    "compare composite score and PCA results for {ward}",
    "Why is {ward} ranked lower than {ward2}??",
    "plot the distribution of evi",
    "how many wards should we prioritise for ITN distribution",
    "export the results to csv pls",
    "hello",
    "ok thanks",
    "What variables were used in the analysis?",
    "The shapefile has 484 wards but the csv has 482, is that a problem?",
];

const USER_LOCAL: &[&str] = &[
    "Sannu, wane unguwa ne ke da haɗarin zazzaɓin cizon sauro mafi girma?",
    "Don Allah ka bayyana min sakamakon {ward}",
    "Ina son ganin taswirar haɗari na Kano",
    "Nagode sosai 🙏",
    "Ẹ káàárọ̀, ìwọ̀n ewu ibà ní {ward} ṣé ó ga?",
    "Ṣàlàyé fún mi ìdí tí {ward} fi wà ní ipò kìíní",
    "E ṣé gan an ni o 🙏🏾",
    "Abeg which ward get the highest malaria risk?",
    "Wetin dey cause am for {ward} sef 😩",
    "🦟🦟🦟 map pls",
    "Merci, pouvez-vous répondre en français ?",
    "👩🏾‍⚕️ we need the top 10 wards for the bed net campaign",
];

const INTENTS: &[&str] = &[
    "ward_ranking",
    "explain_ranking",
    "run_analysis",
    "visualization",
    "general_question",
    "data_upload",
    "export",
    "greeting",
];

/// Chat text a user typed: mostly English, a third Hausa/Yoruba/Pidgin/emoji.
pub(crate) fn user_message(rng: &mut Rng) -> String {
    let template = if rng.chance(0.33) {
        rng.pick(USER_LOCAL)
    } else {
        rng.pick(USER_EN)
    };
    fill_wards(rng, template)
}

/// An intent label as the legacy classifier wrote it.
pub(crate) fn intent(rng: &mut Rng) -> &'static str {
    rng.word(INTENTS)
}

fn fill_wards(rng: &mut Rng, template: &str) -> String {
    template
        .replace("{ward2}", rng.word(WARDS))
        .replace("{ward}", rng.word(WARDS))
}

/// An assistant answer in markdown, of a realistic length: mostly short, one
/// in twenty a long report (several kilobytes to ~150 KB with big tables).
pub(crate) fn assistant_answer(rng: &mut Rng) -> String {
    let size = if rng.chance(0.03) {
        rng.range(30_000, 150_000)
    } else if rng.chance(0.2) {
        rng.range(3_000, 12_000)
    } else {
        rng.range(200, 2_500)
    } as usize;
    report_of_size(rng, size)
}

/// A ranking report of about `size` bytes.
pub(crate) fn report_of_size(rng: &mut Rng, size: usize) -> String {
    let mut out = String::with_capacity(size + 200);
    out.push_str(&format!(
        "Based on the composite analysis, **{}** has the highest malaria risk score ({:.3}). \
         The main contributing factors are high test positivity rate (TPR {:.1}%), dense \
         vegetation (EVI {:.2}) and proximity to standing water.\n\n",
        rng.word(WARDS),
        rng.float(0.55, 0.98),
        rng.float(8.0, 61.0),
        rng.float(0.1, 0.6)
    ));
    out.push_str("| Rank | Ward | Score | Category |\n|---|---|---|---|\n");
    let mut rank = 1;
    while out.len() < size {
        // Integer formatting: exact float formatting would dominate large reports.
        let score = rng.range(500, 9_900);
        let category = rng.pick(&["High Risk", "Medium Risk", "Low Risk"]);
        out.push_str(&format!(
            "| {rank} | {} | 0.{score:04} | {category} |\n",
            rng.word(WARDS)
        ));
        rank += 1;
    }
    out.push_str("\nWould you like me to show these wards on a map? 🗺️");
    out
}

/// A system prompt, the usual `prompt_context` (a few kilobytes).
pub(crate) fn system_prompt(rng: &mut Rng) -> String {
    let mut out = String::from(
        "You are ChatMRPT, an AI assistant for malaria risk prioritisation in Nigeria.\n\
         You help public-health officers rank wards for interventions (ITN distribution,\n\
         indoor residual spraying) using environmental and epidemiological data.\n\n",
    );
    for _ in 0..rng.range(8, 30) {
        out.push_str(&format!(
            "- When asked about {}, cite the variables used ({}, {}) and the method.\n",
            rng.word(WARDS),
            rng.word(VARIABLES),
            rng.word(VARIABLES)
        ));
    }
    out.push_str("Answer in the user's language (English, Hausa, Yoruba or Pidgin).");
    out
}

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; TECNO KE5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; Infinix X6816) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.165 Mobile Safari/537.36 OPR/83.1.2254.73615",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0",
    "Opera/9.80 (J2ME/MIDP; Opera Mini/4.2.14912/191.332; U; en) Presto/2.12.423 Version/12.16",
    "ELB-HealthChecker/2.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "python-requests/2.31.0",
    "curl/8.5.0",
];

/// A browser's User-Agent (people chatting).
pub(crate) fn browser_agent(rng: &mut Rng) -> &'static str {
    rng.word(&AGENTS[..9])
}

/// A full User-Agent header; health checks and bots are most of the sessions.
pub(crate) fn user_agent(rng: &mut Rng) -> &'static str {
    if rng.chance(0.55) {
        "ELB-HealthChecker/2.0"
    } else {
        rng.word(AGENTS)
    }
}

/// A client address: Nigerian mobile ranges, the load balancer, sometimes
/// an `X-Forwarded-For` chain.
pub(crate) fn ip_address(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["102.89", "197.210", "105.112", "41.190", "129.205", "10.0"]);
    let ip = format!("{prefix}.{}.{}", rng.range(0, 255), rng.range(1, 254));
    if rng.chance(0.05) {
        format!("{ip}, 10.0.{}.{}", rng.range(0, 3), rng.range(2, 250))
    } else {
        ip
    }
}

/// A Python traceback, as `traceback.format_exc()` writes it.
pub(crate) fn traceback(rng: &mut Rng) -> (String, String, String) {
    let (kind, message) = *rng.pick(&[
        ("KeyError", "'ward_name'"),
        ("ValueError", "could not convert string to float: 'N/A'"),
        (
            "TimeoutError",
            "Request to LLM provider timed out after 60s",
        ),
        ("sqlite3.OperationalError", "database is locked"),
    ]);
    let trace = format!(
        "Traceback (most recent call last):\n  File \"/home/ec2-user/ChatMRPT/app/web/routes/analysis_routes.py\", line {}, in send_message\n    result = request_interpreter.process_message(user_message, session_id)\n  File \"/home/ec2-user/ChatMRPT/app/core/request_interpreter.py\", line {}, in process_message\n    ward = row['ward_name']\n{kind}: {message}\n",
        rng.range(100, 900),
        rng.range(100, 2_000)
    );
    (kind.to_owned(), message.to_owned(), trace)
}

/// A file name a user uploaded.
pub(crate) fn file_name(rng: &mut Rng, file_type: &str) -> String {
    let state = rng.pick(&["Kano", "Kaduna", "Niger", "Oyo", "Katsina", "Adamawa"]);
    match file_type {
        "csv" => format!("{state}_ward_variables_{}.csv", rng.range(2019, 2025)),
        "shapefile" => format!("{state}_Wards.zip"),
        _ => format!("{state} TPR data {} (1).xlsx", rng.range(2021, 2024)),
    }
}
