//! JSON Schemas of the files a clerk edits: owns describing `yingsu.yaml`, workflow files and case
//! files as JSON Schema (draft 2020-12) with Chinese descriptions, so that an editor with a YAML
//! language server completes and checks them. The case schema is per workspace: the fields of
//! each of its workflows (their labels and help as descriptions, their types and choices) and
//! the ids of its `yingsu.yaml` for fields that name an agency, a court or an issuer.
//!
//! The schemas help while typing; `yingsu validate` stays the judge (conditions, dates in
//! order, 案号 forms and the like are checked there, not here).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::config::Config;
use crate::facts::FieldType;
use crate::workflow::{FieldSpec, Workflow};

/// The dialect every schema declares.
pub(crate) const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A date as yingsu reads it: 2023-05-08 or 2023年5月8日.
const DATE_PATTERN: &str = r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)\s*$";

fn text(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn flag(description: &str) -> Value {
    json!({"type": "boolean", "description": description})
}

fn object(description: &str, properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn map_of(description: &str, value: Value) -> Value {
    json!({
        "type": "object",
        "description": description,
        "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
        "additionalProperties": value,
    })
}

fn dates(description: &str) -> Value {
    json!({
        "type": "array",
        "description": description,
        "items": {"type": "string", "pattern": DATE_PATTERN},
    })
}

/// A deadline length, as `yingsu.yaml` and workflows write it.
fn length() -> Value {
    let one = |key: &str, description: &str| {
        json!({
            "type": "object",
            "description": description,
            "properties": {key: {"type": "integer", "minimum": 0}},
            "required": [key],
            "additionalProperties": false,
        })
    };
    json!({
        "oneOf": [
            one("calendar_days", "自然日：N 天，最后一天不是工作日的顺延到下一个工作日"),
            one("working_days", "工作日：N 个工作日（扣除节假日，计入调休上班日）"),
            one("months", "月：N 个月（月末对齐），最后一天不是工作日的顺延"),
        ]
    })
}

/// The schema of `yingsu.yaml`.
pub fn config() -> Value {
    let issuer = object(
        "发文机关",
        json!({
            "name": text("机关全称，用于署名，如 重庆市渝北区司法局"),
            "short": text("简称，用于正文，如 区司法局"),
            "mark": text("发文机关标志（公文版头的红色大字），省略时用全称"),
            "prefix": text("函（信函格式）的机关代字，如“渝北司函”，发文字号形如 渝北司函〔2023〕5号"),
            "prefixes": {
                "type": "object",
                "description": "其他文种或版式的机关代字：文种（报告、通报……）或版式（文件、纪要）→ 代字，如 {文件: 渝北司发, 报告: 渝北司文}",
                "additionalProperties": {"type": "string"},
            },
            "principal": text("主要负责人姓名"),
            "contact": text("联系人（用于附注）"),
            "phone": text("联系电话（用于附注）"),
            "seal": {
                "description": "印章：省略或 false 为不加盖印章的版式；true 为打印后手工盖章的版式；也可以写工作区内印章图片的路径，如 seals/sfj.png",
                "type": ["boolean", "string"],
            },
        }),
        &["name"],
    );
    let agency = object(
        "被诉单位",
        json!({
            "name": text("单位全称"),
            "short": text("简称"),
            "group": text("统计分组（见 groups）"),
            "kind": text("单位类型，如 区政府、部门、镇街"),
            "issuer": text("该单位自己发文时使用的发文机关（见 issuers）"),
            "principal": text("主要负责人（法定代表人）姓名"),
            "principal_post": text("主要负责人职务"),
            "address": text("地址"),
            "relation": {"description": "与司法局的关系：上级（本级政府，司法局向它报告而不下发整改、约谈通知）或下级（受督查的单位）；省略时本级政府为上级", "enum": ["上级", "下级"]},
            "reports_to": text("败诉案件总结报告的主送机关：issuers 或 agencies 中的编号，或机关全称；省略时下级报送司法局，本级政府报送上一级人民政府"),
        }),
        &["name", "group"],
    );
    let words = object(
        "区域用语（省略的按层级生成）",
        json!({
            "all": text("全区 / 全县 / 全市 / 全省"),
            "addressees": text("通报的主送机关，如 区政府各部门，各镇人民政府、街道办事处"),
            "government": text("本级政府的简称，如 区政府"),
            "government_self": text("本级政府单列时的称呼，如 区政府本级"),
            "others": text("统计表说明中政府以外的单位，如 部门、镇街"),
            "local": text("正文中的本地名称，如 渝北区"),
        }),
        &[],
    );
    let bureau = object(
        "司法局的层级和区域用语",
        json!({
            "issuer": text("本工作区司法局的发文机关编号（默认 sfj）"),
            "name": text("司法局全称（不在本工作区发文时，如单位自己的工作区）"),
            "short": text("司法局简称，如 区司法局"),
            "level": {"description": "层级：区、县、市、省（省略时按 region 的末字判断）", "enum": ["区", "县", "市", "省"]},
            "government": text("本级政府在 agencies 中的编号"),
            "superior": text("本级政府的败诉案件总结报告报送的机关（默认为上一级人民政府）"),
            "words": words,
        }),
        &[],
    );
    let group = object(
        "统计分组",
        json!({
            "title": text("分组名称，用于统计表"),
            "denominator": {
                "description": "出庭率的分母：notices = 法院发出负责人出庭应诉通知的件数；hearings = 开庭审理的件数",
                "enum": ["notices", "hearings"],
            },
        }),
        &["title", "denominator"],
    );
    let targets = object(
        "考核目标",
        json!({
            "floor": {"type": "number", "minimum": 0, "maximum": 100, "description": "各单位出庭率下限（百分数，如 90）"},
            "require_full": {"type": "array", "items": {"type": "string"}, "description": "要求出庭率 100% 的案件标记（是/否字段）"},
            "interview_at_zero": flag("出庭率为零的单位列入约谈"),
            "rectify_unjustified": flag("无正当理由不出庭的，开启督查整改案件"),
        }),
        &[],
    );
    let official = object(
        "国务院办公厅公布的一年节假日安排",
        json!({
            "number": text("通知文号，如 国办发明电〔2026〕7号"),
            "holidays": {"type": "array", "items": {"type": "string"}, "description": "放假日期：2027-01-01 或连续几天 2027-02-05..2027-02-11"},
            "workdays": {"type": "array", "items": {"type": "string"}, "description": "调休上班日期"},
        }),
        &[],
    );
    let calendar = object(
        "本地的放假和上班日（优先于国家的节假日安排，只用于内部期限），以及内置日历尚未收录年份的国家节假日安排",
        json!({
            "holidays": dates("本地放假或不办公的日期（不延长法定期间）"),
            "workdays": dates("本地上班的日期（即使是周末或节假日）"),
            "official": {"type": "object", "description": "按年份填写国务院办公厅的节假日安排通知：填写后该年不再按预估计算", "additionalProperties": official},
        }),
        &[],
    );
    let mut schema = object(
        "yingsu 工作区配置（yingsu.yaml）",
        json!({
            "region": text("行政区域名称，用于文书和统计，如 重庆市渝北区"),
            "issuers": map_of("发文机关：每个机关一个编号（小写英文字母、数字、下划线）", issuer),
            "agencies": map_of("被诉单位：每个单位一个编号", agency),
            "groups": map_of("统计分组：出庭率的分母按组设置", group),
            "courts": map_of("法院：编号 → 法院全称", json!({"type": "string", "description": "法院全称"})),
            "targets": targets,
            "deadlines": map_of("期限设置：流程中按名称引用", length()),
            "calendar": calendar,
            "font_paths": {"type": "array", "items": {"type": "string"}, "description": "另外的字体目录（相对工作区或绝对路径），在工作区的 fonts/ 之后查找"},
            "system_fonts": flag("是否使用本机安装的公文字体（方正小标宋简体、仿宋_GB2312 等），默认 true"),
            "bureau": bureau,
            "members": {"type": "array", "items": {"type": "string"}, "description": "汇总的成员工作区（各区县工作区的 git 克隆，相对本工作区或绝对路径）：stats、status、check 按工作区分列并给出合计"},
            "template_limits": object("用工作区 templates/ 中的模板排版一份文书的上限（内置模板不受限），超出即停止并指出模板", json!({
                "seconds": {"type": "integer", "minimum": 1, "maximum": 3600, "description": "每份文书最多用时（秒），默认 60"},
                "memory_mb": {"type": "integer", "minimum": 256, "maximum": 65536, "description": "排版进程最多用的内存（MB），默认 2048"},
            }), &[]),
        }),
        &["region"],
    );
    schema["$schema"] = json!(DRAFT);
    schema["title"] = json!("yingsu.yaml");
    schema
}

/// The schema of a workflow file (`workflows/*.yaml`).
pub fn workflow() -> Value {
    let condition = |what: &str| text(&format!("{what}（条件表达式，如 outcome == '撤销'）"));
    let field = object(
        "字段",
        json!({
            "type": {
                "description": "类型：text 文本、date 日期、bool 是/否、enum 选项、integer 整数、list 列表、case_number 案号、table 表格",
                "enum": ["text", "date", "bool", "enum", "integer", "list", "case_number", "table"],
            },
            "label": text("中文名称，如 案号"),
            "help": text("填写说明，字段缺少或填错时显示"),
            "required": {
                "description": "是否必填：true、false，或一个条件表达式",
                "type": ["boolean", "string"],
            },
            "values": {"type": "array", "items": {"type": "string"}, "description": "选项（enum 类型）"},
            "columns": {
                "type": "array",
                "description": "表格的各列（table 类型），按顺序",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["key", "label"],
                    "properties": {
                        "key": {"type": "string", "description": "列名（小写英文字母、数字、下划线）"},
                        "label": {"type": "string", "description": "中文列名，如 证据名称"},
                        "type": {"enum": ["text", "integer"], "description": "text 文本（默认）或 integer 整数"},
                        "required": {"type": "boolean", "description": "每行是否必填"},
                    },
                },
            },
            "of": {"description": "值必须是 yingsu.yaml 中的编号", "enum": ["agencies", "courts", "issuers"]},
            "not_before": text("日期不得早于这个日期字段"),
            "not_after": text("日期不得晚于这个日期字段"),
        }),
        &["type", "label"],
    );
    let document = object(
        "这一步生成的文书",
        json!({
            "template": text("模板名（templates/ 下的 .typ 文件，不含扩展名）"),
            "title": text("文书标题"),
            "when": condition("生成条件"),
            "issuer": text("发文机关：yingsu.yaml 中的编号，或表达式"),
            "date": text("成文日期取自的日期字段"),
            "numbered": flag("是否编发文字号，默认 true"),
            "attachments": flag("是否把案件的附件（yingsu case attach 添加的判决书等）附在文书之后，默认 false"),
            "format": {"enum": ["文件", "信函", "纪要", "普通"], "description": "本文书的版式（不写时用模板声明的版式）"},
        }),
        &["template", "title"],
    );
    let deadline = object(
        "这一步的期限",
        json!({
            "title": text("要办的事，如 报送败诉案件总结报告"),
            "from": text("起算日期字段"),
            "days": {
                "description": "期限长度：{calendar_days: N}、{working_days: N}、{months: N}，或 yingsu.yaml 中 deadlines 的名称",
                "anyOf": [{"type": "string"}, length()],
            },
            "when": condition("期限适用的条件"),
            "document": text("设定这一期限的文书（这一步 documents 中的模板名）：只在这一步生成该文书时计算期限"),
            "required": flag("起算日期缺少时不允许进入这一步"),
            "due": text("届满日期字段：填写后即以该日期为期限（如通知书载明的 report_due），不再按天数计算"),
            "statutory": flag("法定期间（如答辩、上诉期限）：按国家节假日安排计算，不受本地放假日影响"),
            "time": text("事项时间字段（如 hearing_time：上午9时30分），写入日历文件"),
            "place": text("事项地点字段（如 hearing_place），写入日历文件"),
        }),
        &["title", "from", "days"],
    );
    let next = object(
        "转向",
        json!({
            "to": text("下一步骤"),
            "when": condition("转向条件"),
        }),
        &["to"],
    );
    let opens = object(
        "这一步开启的其他流程的案件",
        json!({
            "workflow": text("流程名"),
            "when": condition("开启条件"),
            "id": text("新案件的编号（模板，可用 {{ case_id }} 和字段）"),
            "facts": {"type": "object", "additionalProperties": {"type": "string"}, "description": "新案件的事实：字段 → 模板"},
            "step": text("新案件的起始步骤（省略时为其流程的 start）"),
            "link": text("本案记录新案件编号的字段"),
        }),
        &["workflow", "id"],
    );
    let step = object(
        "步骤",
        json!({
            "title": text("步骤的中文名称"),
            "help": text("办理说明"),
            "date": text("这一步的日期取自的字段"),
            "records": {"type": "array", "items": {"type": "string"}, "description": "这一步记录的字段"},
            "documents": {"type": "array", "items": document},
            "deadlines": {"type": "array", "items": deadline},
            "next": {"type": "array", "items": next},
            "opens": {"type": "array", "items": opens},
            "final": flag("结束步骤"),
            "fresh": flag("每次进入都重新记录字段"),
            "roles": {"type": "array", "items": {"type": "string", "minLength": 1}, "description": "可以在工作台办理这一步的用户角色（如 领导）；不写时任何用户都可以"},
        }),
        &["title"],
    );
    let step_name =
        |what: &str| json!({"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": what});
    let statistics = object(
        "统计口径：统计数字按这里读取本流程的案件（不写时本流程的案件不计入统计）",
        json!({
            "notice_step": step_name("收到法院出庭应诉通知的步骤"),
            "hearing_step": step_name("记录一次开庭和负责人出庭情况的步骤"),
            "judgment_step": step_name("记录裁判结果（outcome）的步骤"),
            "losses": {
                "type": "object",
                "description": "计为败诉的裁判结果（outcome 的可选值）→ 统计文字中的说法，如 撤销: 判决撤销",
                "additionalProperties": {"type": "string", "minLength": 1},
            },
            "rectifications": flag("本流程办理督查整改（check --open 在本流程中开启整改案件）"),
        }),
        &[],
    );
    let mut schema = object(
        "yingsu 流程定义",
        json!({
            "name": text("流程名（小写英文字母、数字、下划线），与文件名相同"),
            "title": text("流程的中文名称"),
            "description": text("流程说明"),
            "start": text("起始步骤"),
            "fields": map_of("字段：编号 → 定义", field),
            "steps": map_of("步骤：编号 → 定义", step),
            "statistics": statistics,
        }),
        &["name", "title", "start", "fields", "steps"],
    );
    schema["$schema"] = json!(DRAFT);
    schema["title"] = json!("yingsu 流程");
    schema
}

/// What a field's value looks like in a case file.
fn field_schema(f: &FieldSpec, config: &Config) -> Value {
    let mut s = match f.ty {
        FieldType::Text => match f.of.as_ref().map(|o| o.value.as_str()) {
            Some("agencies") => json!({"enum": config.agencies.keys().collect::<Vec<_>>()}),
            Some("courts") => json!({"enum": config.courts.keys().collect::<Vec<_>>()}),
            Some("issuers") => json!({"enum": config.issuers.keys().collect::<Vec<_>>()}),
            _ => json!({"type": ["string", "number", "boolean"]}),
        },
        FieldType::Date => json!({"type": "string", "pattern": DATE_PATTERN}),
        FieldType::Bool => json!({"type": "boolean"}),
        FieldType::Enum => json!({"enum": f.values}),
        FieldType::Integer => json!({"type": "integer"}),
        FieldType::List => json!({
            "type": ["array", "string"],
            "items": {"type": ["string", "number", "boolean", "object"]},
        }),
        FieldType::CaseNumber => json!({"type": "string"}),
        FieldType::Table => {
            // A row: cells keyed by column key or label.
            let mut cells = serde_json::Map::new();
            for c in &f.columns {
                let cell = match c.ty {
                    crate::facts::ColumnType::Text => {
                        json!({"type": ["string", "number"], "description": c.label})
                    }
                    crate::facts::ColumnType::Integer => {
                        json!({"type": ["integer", "string"], "description": c.label})
                    }
                };
                cells.insert(c.key.clone(), cell.clone());
                cells.insert(c.label.clone(), cell);
            }
            json!({
                "type": ["array", "string"],
                "items": {"type": ["object", "string"], "properties": cells, "additionalProperties": false},
            })
        }
    };
    let description = match &f.help {
        Some(help) => format!("{}（{}）：{help}", f.label, f.ty.label()),
        None => format!("{}（{}）", f.label, f.ty.label()),
    };
    s["description"] = json!(description);
    s
}

/// The schema of case files (`cases/**/*.yaml`) for these workflows and this configuration.
pub fn case(workflows: &BTreeMap<String, Workflow>, config: &Config) -> Value {
    let mut defs = serde_json::Map::new();
    let mut branches = Vec::new();
    for (name, wf) in workflows {
        let fields: serde_json::Map<String, Value> = wf
            .spec
            .fields
            .0
            .iter()
            .map(|(k, f)| (k.value.clone(), field_schema(f, config)))
            .collect();
        defs.insert(
            format!("facts_{name}"),
            json!({
                "type": ["object", "null"],
                "description": format!("{}的案件事实", wf.spec.title),
                "properties": fields,
                "additionalProperties": false,
            }),
        );
        branches.push(json!({
            "if": {"properties": {"workflow": {"const": name}}, "required": ["workflow"]},
            "then": {"properties": {"facts": {"$ref": format!("#/$defs/facts_{name}")}}},
        }));
    }
    let names: Vec<&String> = workflows.keys().collect();
    let titles: Vec<String> = workflows
        .iter()
        .map(|(n, wf)| format!("{n}（{}）", wf.spec.title))
        .collect();
    let document = json!({
        "type": "object",
        "properties": {
            "title": {"type": "string"}, "template": {"type": "string"},
            "number": {"type": "string"}, "file": {"type": "string"}, "sha256": {"type": "string"},
        },
        "required": ["title", "template", "file", "sha256"],
        "additionalProperties": false,
    });
    let entry = json!({
        "type": "object",
        "description": "办理记录的一条（由 yingsu 追加，不要修改）",
        "properties": {
            "step": {"type": "string"}, "event": {"type": "string"},
            "at": {"type": "string"}, "by": {"type": "string"},
            "facts": {"type": "object"},
            "documents": {"type": "array", "items": document},
            "opened": {"type": "array", "items": {"type": "string"}},
            "undoes": {"type": "integer", "minimum": 1},
            "reason": {"type": "string"}, "withdrawn": {"type": "boolean"},
            "attachments": {
                "type": "array",
                "description": "yingsu case attach 添加的附件（由 yingsu 追加，不要修改）",
                "items": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "files": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string"}, "from": {"type": "string"},
                                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                    "pages": {"type": "integer", "minimum": 1},
                                },
                                "required": ["file", "from", "sha256", "pages"],
                                "additionalProperties": false,
                            },
                        },
                    },
                    "required": ["title", "files"],
                    "additionalProperties": false,
                },
            },
        },
        "required": ["at", "by"],
        "additionalProperties": false,
    });
    json!({
        "$schema": DRAFT,
        "title": "yingsu 案件记录",
        "description": "案件记录：上方 facts 由经办人填写，下方 history 由 yingsu 追加",
        "type": "object",
        "properties": {
            "workflow": {"description": format!("流程：{}", titles.join("、")), "enum": names},
            "title": {"type": "string", "description": "案件名称"},
            "facts": {"type": ["object", "null"], "description": "在此补充或更正案件事实（优先于 history 中的记录）"},
            "history": {"type": "array", "description": "办理记录（由 yingsu 追加，不要修改）", "items": entry},
        },
        "required": ["workflow"],
        "additionalProperties": false,
        "allOf": branches,
        "$defs": defs,
    })
}
