//! The recipe files' JSON Schema as the hub serves it: the hand-written shape of a file
//! (`docs/recipe.schema.json`) with, for every action of the catalog, the inputs it takes
//! (its required ones, and no others) and what it gives, so an editor flags an input an
//! action does not have as it is typed.

use serde_json::{Map, Value, json};

use super::catalog::CATALOG;

/// The schema of a recipe file, with each action's inputs and outputs.
pub fn json_schema() -> Value {
    let mut schema: Value =
        serde_json::from_str(include_str!("../../../../docs/recipe.schema.json"))
            .expect("docs/recipe.schema.json is JSON (a test reads it too)");
    let rules: Vec<Value> = CATALOG
        .iter()
        .map(|action| {
            let mut properties = Map::new();
            for input in action.all_inputs() {
                properties.insert(input.name.to_owned(), json!({"description": input.help}));
            }
            let required: Vec<&str> = action
                .inputs
                .iter()
                .filter(|i| i.required)
                .map(|i| i.name)
                .collect();
            // `map` computes whatever names it is given.
            let input = if action.kind == super::ActionKind::Map {
                json!({"type": "object"})
            } else {
                json!({
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                })
            };
            let needs_input = !required.is_empty();
            let mut then = json!({
                "description": action.summary,
                "properties": {"input": input},
                "x-weft-gives": action.output_shape().summary(),
            });
            if needs_input {
                then["required"] = json!(["input"]);
            }
            json!({
                "if": {"properties": {"action": {"const": action.name}}, "required": ["action"]},
                "then": then,
            })
        })
        .collect();
    schema["$defs"]["step"]["allOf"] = Value::Array(rules);
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(schema: &Value, recipe: &Value) -> Result<(), String> {
        let validator = jsonschema::validator_for(schema).map_err(|e| e.to_string())?;
        let errors: Vec<String> = validator
            .iter_errors(recipe)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    #[test]
    fn an_input_an_action_does_not_take_or_lacks_is_flagged() {
        let schema = json_schema();
        let recipe = |input: Value| {
            json!({
                "name": "r", "connection": "c", "trigger": {"http": {}},
                "steps": [{"id": "t", "action": "wrike.get_task", "input": input}]
            })
        };
        assert!(valid(&schema, &recipe(json!({"id": "{{ trigger.id }}"}))).is_ok());
        let typo = valid(&schema, &recipe(json!({"idd": "x"}))).unwrap_err();
        assert!(typo.contains("idd"), "{typo}");
        assert!(
            valid(&schema, &recipe(json!({}))).is_err(),
            "id is required"
        );
        // `map` takes any names; update_task takes the task fields it shares.
        let map = json!({"name": "r", "connection": "c", "trigger": {"http": {}},
            "steps": [{"id": "m", "action": "map", "input": {"anything": 1}},
                      {"id": "u", "action": "wrike.update_task", "input": {"id": "T", "importance": "High"}}]});
        assert!(valid(&schema, &map).is_ok(), "{:?}", valid(&schema, &map));
        let rules = schema["$defs"]["step"]["allOf"].as_array().unwrap();
        assert_eq!(rules.len(), CATALOG.len());
        let get_task = rules
            .iter()
            .find(|r| r["if"]["properties"]["action"]["const"] == "wrike.get_task")
            .unwrap();
        assert!(
            get_task["then"]["x-weft-gives"]
                .as_str()
                .unwrap()
                .contains("title")
        );
    }
}
