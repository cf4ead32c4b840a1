//! `kist tag SOURCE TARGET`.

use super::{now_rfc3339, EngineError, Result};
use crate::image::reference::Reference;
use crate::store::{commit, Additions, Store};

pub fn tag(store: &Store, source: &str, target: &str) -> Result<()> {
    let target = Reference::parse(target)?;
    if target.digest.is_some() {
        return Err(EngineError::Invalid(format!(
            "refusing to create a tag with a digest reference: {}\nhint: give a name with a tag, such as app:1.0",
            target.familiar()
        )));
    }
    let lock = store.lock()?;
    commit::commit(store, &lock, Additions::default(), |index| {
        let at = index.find(source)?;
        index.add_name(at, &target.to_string(), &now_rfc3339());
        Ok::<_, EngineError>(())
    })
}
