import Foundation

/// The shared sample payloads (`/work/shared/samples` style), embedded so unit tests need no files.
enum Samples {
    static let adfMinimal = """
        <?xml version="1.0" encoding="UTF-8"?>
        <adf>
          <prospect>
            <requestdate>2025-03-14T09:12:44-05:00</requestdate>
            <vehicle>
              <year>2024</year>
              <make>Honda</make>
              <model>CR-V</model>
            </vehicle>
            <customer>
              <contact>
                <name part="first">Dana</name>
                <name part="last">Whitfield</name>
                <email>dana.whitfield@example.com</email>
              </contact>
            </customer>
            <vendor>
              <vendorname>Lakeshore Auto Group</vendorname>
            </vendor>
          </prospect>
        </adf>
        """

    static let adfFull = """
        <?xml version="1.0" encoding="UTF-8"?>
        <?adf version="1.0"?>
        <adf>
          <prospect status="new">
            <id sequence="1" source="ExampleCars Marketplace">ECM-2025-0318-77412</id>
            <requestdate>2025-03-18T19:47:03-04:00</requestdate>
            <vehicle interest="buy" status="new">
              <year>2024</year>
              <make>Jeep</make>
              <model>Grand Cherokee</model>
              <vin>1C4RJXF6XRC150928</vin>
              <stock>J24-1187</stock>
              <trim>Limited 4x4</trim>
              <bodystyle>SUV</bodystyle>
              <odometer status="original" units="mi">14</odometer>
              <colorcombination><interiorcolor>Global Black</interiorcolor><exteriorcolor>Velvet Red Pearl</exteriorcolor><preference>1</preference></colorcombination>
              <price type="msrp" currency="USD">54870</price>
              <price type="offer" currency="USD">51995</price>
              <finance><method>finance</method><amount type="downpayment" limit="exact" currency="USD">6000</amount></finance>
              <comments>Wants the red one.</comments>
            </vehicle>
            <vehicle interest="trade-in" status="used">
              <year>2019</year><make>Toyota</make><model>RAV4</model><vin>JTMW1RFV6KD013376</vin>
              <odometer status="original" units="mi">68210</odometer>
              <condition>good</condition>
              <price type="appraisal" currency="USD" source="Customer estimate">17500</price>
            </vehicle>
            <customer>
              <contact primarycontact="1">
                <name part="first" type="individual">Marcus</name>
                <name part="middle" type="individual">J.</name>
                <name part="last" type="individual">Okafor</name>
                <email preferredcontact="1">Marcus.Okafor@Example.com</email>
                <phone type="cellphone" time="evening" preferredcontact="1">(614) 555-0137</phone>
                <phone type="voice" time="day">(614) 555-0188</phone>
                <address type="home">
                  <street line="1">2217 Sycamore Bend Dr</street>
                  <apartment>Unit 4</apartment>
                  <city>Columbus</city>
                  <regioncode>OH</regioncode>
                  <postalcode>43215</postalcode>
                  <country>US</country>
                </address>
              </contact>
              <timeframe><description>Within 2 weeks</description><earliestdate>2025-03-22T00:00:00-04:00</earliestdate><latestdate>2025-04-01T00:00:00-04:00</latestdate></timeframe>
              <comments>Please text before calling.</comments>
            </customer>
            <vendor><id source="ExampleCars Marketplace">DLR-30412</id><vendorname>Lakeshore Auto Group</vendorname></vendor>
            <provider><name part="full">ExampleCars Marketplace</name><service>New vehicle price quote</service></provider>
          </prospect>
        </adf>
        """

    static let metaLead = """
        {"id":"1187654321098765","created_time":"2025-03-19T13:13:15+0000","ad_id":"120208765432100011",
         "ad_name":"CR-V Spring Event","adset_id":"120208765432100005","campaign_id":"120208765432100001",
         "campaign_name":"Spring Sales Event 2025","form_id":"987650001234567","is_organic":false,"platform":"fb",
         "field_data":[{"name":"full_name","values":["Ingrid Solberg"]},{"name":"email","values":["Ingrid.Solberg@example.com"]},
          {"name":"phone_number","values":["+16145550142"]},{"name":"zip_code","values":["43215"]},
          {"name":"which_model_are_you_interested_in?","values":["CR-V Hybrid"]}],
         "custom_disclaimer_responses":[{"checkbox_key":"optional_1","is_checked":"1"}]}
        """

    static let google = """
        {"lead_id":"AVpfmK3xT1f0rJmQk7Lz2w3YbN8cD5eFgH1","user_column_data":[
          {"column_name":"Full Name","string_value":"Beatriz Okonkwo-Lindgren","column_id":"FULL_NAME"},
          {"column_name":"User Email","string_value":"beatriz.ol@example.com","column_id":"EMAIL"},
          {"column_name":"User Phone","string_value":"+16175550126","column_id":"PHONE_NUMBER"},
          {"column_name":"Postal Code","string_value":"02134","column_id":"POSTAL_CODE"},
          {"column_name":"Which model are you interested in?","string_value":"Tucson Hybrid","column_id":"VEHICLE_MODEL"},
          {"column_name":"When do you plan on purchasing a vehicle?","string_value":"Within 1 month","column_id":"VEHICLE_PURCHASE_TIMELINE"},
          {"column_name":"Preferred dealership","string_value":"Back Bay"}],
         "api_version":"1.0","form_id":18811234567,"campaign_id":21987654321,"google_key":"k","is_test":true,
         "gcl_id":"EAIaIQ","adgroup_id":167712345678,"creative_id":9007199254740993123,"lead_submit_time":"2025-03-22T14:05:33Z"}
        """
}
